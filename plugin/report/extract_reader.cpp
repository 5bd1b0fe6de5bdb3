#include "plugin/report/extract_reader.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

namespace nexus_mde::plugin {

namespace fs = std::filesystem;

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// gzip, bzip2, xz, zstd magic or a ustar header: an archive rather than JSON text.
bool looks_like_archive(const std::string& head) {
  auto starts = [&](std::initializer_list<unsigned char> magic) {
    if (head.size() < magic.size()) return false;
    std::size_t i = 0;
    for (unsigned char m : magic) {
      if (static_cast<unsigned char>(head[i++]) != m) return false;
    }
    return true;
  };
  if (starts({0x1f, 0x8b}) || starts({'B', 'Z', 'h'}) || starts({0xfd, '7', 'z', 'X', 'Z'}) ||
      starts({0x28, 0xb5, 0x2f, 0xfd})) {
    return true;
  }
  return head.size() >= 262 && head.compare(257, 5, "ustar") == 0;
}

std::string too_large(const std::string& what, std::size_t max_bytes) {
  return what + " is larger than " + std::to_string(max_bytes >> 20) + " MiB";
}

}  // namespace

Result<bool> stream_file_range(const std::string& path, std::size_t from, std::size_t to,
                               const ChunkSink& sink, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(std::string("cannot open: ") + std::strerror(errno));
  if (from > 0 && !in.seekg(static_cast<std::streamoff>(from))) return make_error("read error");
  std::size_t at = from;
  return read_ahead(
      [&](std::span<char> buffer) -> Result<std::size_t> {
        std::size_t want = std::min(buffer.size(), to - at);
        if (want == 0) return std::size_t{0};
        in.read(buffer.data(), static_cast<std::streamsize>(want));
        auto n = static_cast<std::size_t>(in.gcount());
        if (in.bad()) return make_error("read error");
        at += n;
        if (at > max_bytes) return make_error(too_large("the file", max_bytes));
        return n;
      },
      sink);
}

namespace {

// `open` attaches the input (a file, or bytes in memory) to the archive reader.
// "a symbolic link to x", "a hard link to x", "a named pipe", "a directory", …
std::string member_kind(archive_entry* entry) {
  if (const char* target = archive_entry_symlink(entry)) return std::string("a symbolic link to ") + target;
  if (const char* target = archive_entry_hardlink(entry)) return std::string("a hard link to ") + target;
  switch (archive_entry_filetype(entry)) {
    case AE_IFDIR:
      return "a directory";
    case AE_IFIFO:
      return "a named pipe";
    case AE_IFCHR:
      return "a character device";
    case AE_IFBLK:
      return "a block device";
    case AE_IFSOCK:
      return "a socket";
    default:
      return "not a regular file";
  }
}

Result<bool> stream_from_archive(const std::function<int(archive*)>& open, const ChunkSink& sink,
                                 std::size_t max_bytes) {
  std::unique_ptr<archive, decltype(&archive_read_free)> a(archive_read_new(), archive_read_free);
  archive_read_support_filter_all(a.get());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  if (open(a.get()) != ARCHIVE_OK) {
    return make_error(std::string("not a readable archive: ") + archive_error_string(a.get()));
  }
  std::vector<std::string> seen;
  std::string not_a_file;  // a member with the right name that is a link, a pipe…: what it is
  archive_entry* entry = nullptr;
  int rc = ARCHIVE_OK;
  while ((rc = archive_read_next_header(a.get(), &entry)) == ARCHIVE_OK || rc == ARCHIVE_WARN) {
    const char* name = archive_entry_pathname(entry);
    std::string member = name ? name : "";
    bool named = fs::path(member).filename() == kAgentInformationFile;
    if (named && archive_entry_filetype(entry) != AE_IFREG && not_a_file.empty()) {
      not_a_file = member + " is " + member_kind(entry) + ", not a file";
    }
    if (!named || archive_entry_filetype(entry) != AE_IFREG) {
      if (seen.size() < 8) seen.push_back(member);
      continue;
    }
    la_int64_t declared = archive_entry_size_is_set(entry) ? archive_entry_size(entry) : 0;
    if (declared < 0 || static_cast<std::uint64_t>(declared) > max_bytes)
      return make_error(too_large(member, max_bytes));
    // The member's data is inflated on the reading thread, beside the parse.
    std::size_t total = 0;
    return read_ahead(
        [&](std::span<char> buffer) -> Result<std::size_t> {
          la_ssize_t n = archive_read_data(a.get(), buffer.data(), buffer.size());
          if (n < 0)
            return make_error("archive is damaged in " + member + ": " + archive_error_string(a.get()));
          total += static_cast<std::size_t>(n);
          if (total > max_bytes) return make_error(too_large(member, max_bytes));
          return static_cast<std::size_t>(n);
        },
        sink);
  }
  if (rc != ARCHIVE_EOF) {
    return make_error(std::string("archive is damaged: ") + archive_error_string(a.get()));
  }
  if (!not_a_file.empty())
    return make_error("no " + std::string(kAgentInformationFile) + " to read in the archive: " + not_a_file);
  std::string listing;
  for (const auto& s : seen) listing += (listing.empty() ? "" : ", ") + s;
  return make_error(std::string("no ") + kAgentInformationFile + " in the archive" +
                    (listing.empty() ? " (it is empty)" : " (it holds " + listing + ")"));
}

}  // namespace

Result<bool> is_archive_file(const std::string& path) {
  std::string head(512, '\0');
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(std::string("cannot open: ") + std::strerror(errno));
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  return looks_like_archive(head);
}

std::string node_name_from_path(const std::string& path) {
  fs::path p(path);
  std::string name = p.filename().string();
  for (const char* suffix : {".tar.gz", ".tgz", ".tar", ".json", ".gz"}) {
    if (ends_with(name, suffix)) {
      name.resize(name.size() - std::strlen(suffix));
      break;
    }
  }
  const std::string stem = "mde-agent-information";
  if (ends_with(name, stem)) name.resize(name.size() - stem.size());
  while (!name.empty() && (name.back() == '.' || name.back() == '-' || name.back() == '_')) name.pop_back();
  if (name.empty()) {
    std::string parent = p.parent_path().filename().string();
    name = parent.empty() ? path : parent;
  }
  return name;
}

Result<bool> stream_extract(const std::string& path, const ChunkSink& sink, std::size_t max_bytes) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return make_error("no such file");
  if (fs::is_directory(path, ec)) return make_error("is a directory, not a file");
  Result<bool> archived = is_archive_file(path);
  if (!archived) return archived.error();
  if (!*archived) return stream_file_range(path, 0, kToTheEnd, sink, max_bytes);
  return stream_from_archive([&](archive* a) { return archive_read_open_filename(a, path.c_str(), 1 << 16); },
                             sink, max_bytes);
}

Result<bool> stream_extract_bytes(std::string_view bytes, const ChunkSink& sink, std::size_t max_bytes) {
  if (looks_like_archive(std::string(bytes.substr(0, 512)))) {
    return stream_from_archive(
        [&](archive* a) { return archive_read_open_memory(a, bytes.data(), bytes.size()); }, sink, max_bytes);
  }
  if (bytes.size() > max_bytes) return make_error(too_large("the download", max_bytes));
  for (std::size_t at = 0; at < bytes.size(); at += kReadAheadChunkBytes) {
    if (!sink(bytes.substr(at, kReadAheadChunkBytes))) return false;
  }
  return true;
}

}  // namespace nexus_mde::plugin

#include "agent/log/event_log.hpp"

#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include <cstdio>
#include <string>

namespace nexus_mde::agent {

void EventLog::write(Priority priority, std::string_view id, std::string_view message,
                     const LogFields& fields) const {
  if (target_ == LogTarget::kStderr) {
    std::string line = "nexus-mde-agent: ";
    line += message;
    for (const auto& [name, value] : fields) {
      line += ' ';
      line += name;
      line += '=';
      line += value;
    }
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
    return;
  }
  // sd_journal_sendv takes "NAME=value" items; values may hold any byte but newlines are kept
  // as is (journald stores them), so nothing needs escaping.
  std::vector<std::string> items;
  items.reserve(fields.size() + 5);
  items.push_back("MESSAGE=" + std::string(message));
  items.push_back("PRIORITY=" + std::to_string(static_cast<int>(priority)));
  items.push_back("MESSAGE_ID=" + std::string(id));
  items.emplace_back("SYSLOG_IDENTIFIER=nexus-mde-agent");
  items.push_back("NODE=" + node_);
  for (const auto& [name, value] : fields) items.push_back(std::string(name) + "=" + value);
  std::vector<iovec> iov;
  iov.reserve(items.size());
  for (auto& item : items) iov.push_back({item.data(), item.size()});
  if (sd_journal_sendv(iov.data(), static_cast<int>(iov.size())) < 0) {
    // journald is not there (or full): the entry must not vanish silently.
    std::string line = "nexus-mde-agent: " + std::string(message) + "\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
}

}  // namespace nexus_mde::agent

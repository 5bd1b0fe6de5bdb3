// A small expected-like value for domain functions (osquery's Status/Expected idea):
// either a value or an Error that says what was wrong and where. Parsers never throw past
// their boundary; they return one of these.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace nexus_mde {

// What kind of problem an Error is, so that callers decide (an exit code, a retry) by kind,
// never by reading the message.
enum class ErrorKind {
  kInvalidInput,  // a flag, file, setting or document is wrong: for the operator to fix
  kAuth,          // credentials missing or refused
  kDeadline,      // the time allowed ran out
  kUnreachable,   // nobody answered: no route, refused, no address
  kProtocol,      // an answer that is not what the protocol says, or an operation that failed
};

struct Error {
  std::string message;  // what is wrong, for a human
  std::string field;    // the field or JSON path concerned ("scanList[3].startTime"), may be empty
  std::optional<std::size_t> offset;  // byte offset in the input, when known
  std::optional<std::size_t> line;    // 1-based line in text input, when known
  ErrorKind kind = ErrorKind::kInvalidInput;

  // "scanList[3].startTime: not an epoch-ms value (at byte 120)"
  std::string describe() const;
};

Error make_error(std::string message, std::string field = {}, ErrorKind kind = ErrorKind::kInvalidInput);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

}  // namespace nexus_mde

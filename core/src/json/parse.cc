// Strict JSON parsing on top of RapidJSON's SAX reader.
//
// RapidJSON 1.1.0 (Debian's) gives us the grammar (UTF-8 is checked by our
// handler, see kParseFlags); it is kept off the paths where it is unsafe or
// wrong (issue 10, found by fuzzing with ASan/UBSan):
//  - Its StringStream trusts a NUL terminator: a request ending inside a
//    multi-byte UTF-8 sequence made the validator read past the buffer. We
//    parse through BoundedStream, whose Peek/Take return '\0' at the end.
//  - Its internal stack starts as a null pointer and its first push does
//    pointer arithmetic on it (UB); the iterative parser and non-insitu
//    strings both use that stack. We parse in situ (strings decoded inside
//    our own copy of the text) with the recursive parser, which then never
//    touches the stack; recursion is bounded because the handler refuses
//    nesting deeper than ParseLimits::max_depth before RapidJSON descends.
//  - Its number conversion (Strtod) reads past its cached-powers table on
//    long mantissas, calls clz(0) on `0e40` and misreads `0eN`; numbers are
//    taken as text (kParseNumbersAsStringsFlag) and converted here by
//    fast_float, a correctly rounded decimal-to-double routine (round half
//    to even, as ECMAScript's JSON.parse reads numbers).
//  - Its number grammar check still rejects some valid numbers as "too big"
//    (more than ~308 integer digits, or `0e400`); NormalizeLargeNumbers
//    rewrites those tokens first (see there).
// What RapidJSON does not do we add in the handler: depth limit, duplicate
// keys (rejected), lone low-surrogate escapes, doubles-only numbers, and the
// path of the offending member for errors that concern one value.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <type_traits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "fast_float/fast_float.h"
#include "json/json.h"
#include "rapidjson/error/en.h"
#include "rapidjson/reader.h"

namespace adcp::json {
namespace {

// An in-situ stream over a copy of the text: reads never pass the text's
// end (Peek/Take return '\0' there, which every RapidJSON production treats
// as end of input), and decoded strings are written back behind the read
// position, as RapidJSON's in-situ contract requires.
//
// The copy is made as reading goes: `copied_` marks how far the buffer
// holds text, and reading there copies the next few bytes. In outline mode
// a record is jumped over (Seek) and never copied: the buffer then holds
// only the skeleton, contiguously (text offset = buffer offset + skipped_),
// so a large snapshot costs no copy of itself and touches no fresh memory
// for its records (recovery time, issue 12).
class BoundedStream {
 public:
  typedef char Ch;
  // `buffer` has room for the text and holds text[0, copied) already.
  BoundedStream(char* buffer, std::string_view text, size_t copied)
      : head_(buffer), src_(buffer), dst_(nullptr), copied_(buffer + copied), text_(text) {}
  Ch Peek() const { return src_ == copied_ ? Refill() : *src_; }
  Ch Take() {
    const Ch c = Peek();
    if (src_ != copied_) ++src_;
    return c;
  }
  // The read position as an offset in the text.
  size_t Tell() const { return static_cast<size_t>(src_ - head_) + skipped_; }
  // Moves reading to text offset `offset` (outline mode, between tokens
  // only: no string is being decoded, so nothing behind is lost).
  void Seek(size_t offset) {
    copied_ = src_;
    skipped_ = offset - static_cast<size_t>(src_ - head_);
  }
  const char* text() const { return text_.data(); }
  size_t size() const { return text_.size(); }
  Ch* PutBegin() { return dst_ = src_; }
  // Writing never overtakes reading: past the end Take() stops advancing
  // (a truncated UTF-8 sequence), and what it "read" there is not stored;
  // the validator then rejects the sequence.
  void Put(Ch c) {
    if (dst_ < src_) *dst_++ = c;
  }
  void Flush() {}
  size_t PutEnd(Ch* begin) { return static_cast<size_t>(dst_ - begin); }
  // Inside a string: moves the run of bytes that need no decoding (no quote,
  // backslash or control byte) from the read to the write position in one
  // go, up to what the buffer holds. RapidJSON calls this before each byte
  // it decodes itself (ScanCopyUnescapedString, specialized below); its own
  // loop Peeks, Takes and Puts one byte at a time (a tenth of a call).
  void CopyUnescaped() {
    char* from = src_;
    char* to = dst_;
    char* const end = copied_;
#if defined(__SSE2__)
    while (end - from >= 16) {
      const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(from));
      const __m128i control = _mm_cmpeq_epi8(_mm_max_epu8(block, _mm_set1_epi8(0x1f)), _mm_set1_epi8(0x1f));
      const __m128i special = _mm_or_si128(_mm_cmpeq_epi8(block, _mm_set1_epi8('"')), _mm_cmpeq_epi8(block, _mm_set1_epi8('\\')));
      const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(control, special)));
      const size_t run = mask == 0 ? 16 : static_cast<size_t>(__builtin_ctz(mask));
      if (to != from) std::memmove(to, from, run);
      from += run;
      to += run;
      if (mask != 0) break;
    }
#endif
    while (from != end) {
      const unsigned char c = static_cast<unsigned char>(*from);
      if (c < 0x20 || c == '"' || c == '\\') break;
      *to++ = *from++;
    }
    src_ = from;
    dst_ = to;
  }

 private:
  // Small: after a jump only the few bytes up to the next record are read.
  static constexpr size_t kChunk = 256;
  Ch Refill() const {
    const size_t from = static_cast<size_t>(copied_ - head_) + skipped_;
    if (from >= text_.size()) return '\0';
    const size_t n = std::min(kChunk, text_.size() - from);
    std::memcpy(copied_, text_.data() + from, n);
    copied_ += n;
    return *src_;
  }
  char* head_;
  char* src_;
  char* dst_;
  mutable char* copied_;
  size_t skipped_ = 0;
  std::string_view text_;
};

}  // namespace
}  // namespace adcp::json

namespace rapidjson {
template <>
struct StreamTraits<adcp::json::BoundedStream> {
  enum { copyOptimization = 1 };
};

// The reader's hook for copying a string's plain bytes in bulk (its own
// overloads cover only its in-situ and string streams).
template <>
template <>
inline void GenericReader<UTF8<>, UTF8<>, CrtAllocator>::ScanCopyUnescapedString<adcp::json::BoundedStream,
                                                                                   adcp::json::BoundedStream>(
    adcp::json::BoundedStream& is, adcp::json::BoundedStream&) {
  is.CopyUnescaped();
}
}  // namespace rapidjson

namespace adcp::json {
namespace {

// Length of the JSON number token at text[i] (RFC 8259 grammar), or 0.
size_t NumberTokenLength(const char* text, size_t size, size_t i) {
  auto digit = [&](size_t k) { return k < size && text[k] >= '0' && text[k] <= '9'; };
  size_t k = i;
  if (k < size && text[k] == '-') ++k;
  if (!digit(k)) return 0;
  if (text[k] == '0') {
    ++k;
  } else {
    while (digit(k)) ++k;
  }
  if (k < size && text[k] == '.') {
    if (!digit(k + 1)) return 0;
    ++k;
    while (digit(k)) ++k;
  }
  if (k < size && (text[k] == 'e' || text[k] == 'E')) {
    size_t e = k + 1;
    if (e < size && (text[e] == '+' || text[e] == '-')) ++e;
    if (!digit(e)) return 0;
    k = e;
    while (digit(k)) ++k;
  }
  return k - i;
}

// RapidJSON 1.1.0 rejects, as "number too big", tokens whose integer part
// has more than ~308 digits and tokens whose positive exponent exceeds 308
// minus their fraction digits, even when JSON.parse reads them as finite
// (`1<400 zeros>e-300` is 1e100, `0e400` and `0.0e999` are 0). Such tokens
// are rewritten in place as the shortest ECMAScript form of their value,
// padded with spaces (JSON whitespace); the form always fits: a finite
// value rejected for its integer part has over 300 characters, and one
// rejected for its exponent is zero ("0"). Tokens whose value overflows are
// left alone and fail as overflows. Runs in one pass over the text.
void NormalizeLargeNumbers(std::string& text) {
  const size_t size = text.size();
  char* data = text.data();
  bool in_string = false;
  char previous = '\0';  // last character outside strings other than whitespace
  for (size_t i = 0; i < size; ++i) {
    char c = data[i];
    if (in_string) {
      if (c == '\\') ++i;  // the escaped character cannot end the string
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    const bool value_start = previous == '\0' || previous == '[' || previous == ',' || previous == ':';
    previous = c;
    if (c == '"') {
      in_string = true;
      continue;
    }
    if (!value_start || (c != '-' && (c < '0' || c > '9'))) continue;
    size_t length = NumberTokenLength(data, size, i);
    if (length == 0) continue;  // not a number: RapidJSON reports the syntax error
    std::string_view token(data + i, length);
    size_t int_start = token[0] == '-' ? 1 : 0;
    size_t int_digits = 0;
    while (int_start + int_digits < length && token[int_start + int_digits] >= '0' &&
           token[int_start + int_digits] <= '9')
      ++int_digits;
    size_t e = token.find_first_of("eE");
    bool large_exponent = e != std::string_view::npos && token[e + 1] != '-' &&
                          length - e - (token[e + 1] == '+' ? 2 : 1) >= 3;  // exponent of 100 or more
    if (int_digits >= 300 || large_exponent) {
      NumberText number = ReadNumber(token);
      if (number.valid && number.finite) {
        std::string shortest = FormatNumber(number.value);
        if (shortest.size() <= length) {
          std::memcpy(data + i, shortest.data(), shortest.size());
          std::memset(data + i + shortest.size(), ' ', length - shortest.size());
        }
      }
    }
    i += length - 1;
    previous = '0';
  }
}

// The offset of the first '"' or '\\' in data[i, size), or size; sixteen
// bytes at a time where SSE2 is available (native x86-64; WASM scans bytes).
size_t NextQuoteOrBackslash(const char* data, size_t i, size_t size) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
  for (; i + 16 <= size; i += 16) {
    const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
    const int mask = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(block, quote), _mm_cmpeq_epi8(block, backslash)));
    if (mask != 0) return i + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
  }
#endif
  for (; i < size; ++i)
    if (data[i] == '"' || data[i] == '\\') return i;
  return size;
}

// The offset of the bracket that closes the container whose opening bracket
// ends just before `from`, or npos. String-aware (a backslash escapes the
// next byte), so for valid JSON it is the grammar's closing bracket; what it
// skips is checked when the element is parsed on its own (outline mode).
// Hand-written because RapidJSON has no skip: its reader decodes and
// validates every string it passes.
size_t MatchingClose(const char* data, size_t from, size_t size) {
  size_t depth = 1;
  for (size_t i = from; i < size; ++i) {
    const char c = data[i];
    if (c == '"') {
      size_t at = NextQuoteOrBackslash(data, i + 1, size);
      while (at < size && data[at] == '\\') at = NextQuoteOrBackslash(data, at + 2 < size ? at + 2 : size, size);
      if (at >= size) return std::string::npos;
      i = at;  // the string's closing quote
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if ((c == '}' || c == ']') && --depth == 0) {
      return i;
    }
  }
  return std::string::npos;
}

bool HasDuplicateKey(const Object& o) {
  if (o.size() < 2) return false;
  if (o.size() <= 8) {
    for (size_t i = 0; i < o.size(); ++i)
      for (size_t j = i + 1; j < o.size(); ++j)
        if (o[i].first == o[j].first) return true;
    return false;
  }
  std::vector<std::string_view> keys;
  keys.reserve(o.size());
  for (const Member& m : o) keys.emplace_back(m.first);
  std::sort(keys.begin(), keys.end());
  return std::adjacent_find(keys.begin(), keys.end()) != keys.end();
}

// What Builder and Validator share: RapidJSON delivers every number as text
// (kParseNumbersAsStringsFlag), so typed numbers never arrive; numbers are
// read as JSON.parse reads them and strings must be UTF-8 without lone
// surrogates; the first problem is kept.
class StrictHandler {
 public:
  bool Int(int) { return Fail(ParseErrorKind::kSyntax); }
  bool Uint(unsigned) { return Fail(ParseErrorKind::kSyntax); }
  bool Int64(int64_t) { return Fail(ParseErrorKind::kSyntax); }
  bool Uint64(uint64_t) { return Fail(ParseErrorKind::kSyntax); }
  bool Double(double) { return Fail(ParseErrorKind::kSyntax); }
  ParseErrorKind error() const { return error_; }

 protected:
  bool Fail(ParseErrorKind k) {
    if (error_ == ParseErrorKind::kNone) error_ = k;
    return false;
  }
  // The number token's value, or false (recorded) when it is not a finite number.
  bool ReadFinite(const char* s, rapidjson::SizeType n, double* value) {
    NumberText number = ReadNumber(std::string_view(s, n));
    if (!number.valid) return Fail(ParseErrorKind::kSyntax);
    if (!number.finite) return Fail(ParseErrorKind::kNumberOverflow);
    *value = number.value;
    return true;
  }
  bool CheckText(const char* s, rapidjson::SizeType n) {
    return IsValidUtf8(std::string_view(s, n)) || Fail(ParseErrorKind::kInvalidUtf8);
  }

 private:
  ParseErrorKind error_ = ParseErrorKind::kNone;
};

// Builds the value tree from SAX events. Members and elements wait on one
// flat stack until their container closes; the container is then built
// with exactly its size in one allocation (as RapidJSON's own Document
// does), instead of growing member by member.
//
// Outline mode (ParseOutline): the elements of arrays that are members of
// the root object are not built; each is kept as its byte range in the
// text (scalars as values), to be parsed on its own later. The reader is
// moved straight to an element's closing bracket (MatchingClose), so the
// outline pass costs a scan, not a parse, of the records.
class Builder : public StrictHandler {
 public:
  // Room up front for a typical record or request (else 6-7 regrowths).
  explicit Builder(size_t max_depth) : max_depth_(max_depth) { pending_.reserve(64), levels_.reserve(8); }
  void OutlineInto(Outline* outline, BoundedStream* stream) {
    outline_ = outline;
    stream_ = stream;
  }

  bool Null() { return skipping_ ? true : Add(Value()); }
  bool Bool(bool b) { return skipping_ ? true : Add(Value(b)); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    if (skipping_) return true;  // checked when the element is parsed
    double value = 0;
    return ReadFinite(s, n, &value) && Add(Value(value));
  }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    if (skipping_) return true;
    return CheckText(s, n) && Add(Value(std::string(s, n)));
  }
  bool StartObject() { return Open(false); }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    if (skipping_) return true;
    if (!CheckText(s, n)) return false;
    key_.assign(s, n);
    return true;
  }
  bool EndObject(rapidjson::SizeType) {
    if (skipping_) return EndSkipped();
    const size_t start = levels_.back().start;
    Object o(std::make_move_iterator(pending_.begin() + start), std::make_move_iterator(pending_.end()));
    pending_.resize(start);
    if (HasDuplicateKey(o)) {
      duplicate_ = true;
      return Fail(ParseErrorKind::kDuplicateKey);
    }
    return Close(Value(std::move(o)));
  }
  bool StartArray() { return Open(true); }
  bool EndArray(rapidjson::SizeType) {
    if (skipping_) return EndSkipped();
    const size_t start = levels_.back().start;
    Array a;
    a.reserve(pending_.size() - start);
    for (size_t i = start; i < pending_.size(); ++i) a.push_back(std::move(pending_[i].second));
    pending_.resize(start);
    return Close(Value(std::move(a)));
  }

  Value TakeRoot() { return std::move(root_); }

  // Where the value being read sits: "plans[0].budget.total" (08 §1 field
  // paths); empty at the root.
  std::string CurrentPath() const {
    std::string path;
    for (size_t level = 0; level < levels_.size(); ++level) {
      const size_t end = level + 1 < levels_.size() ? levels_[level + 1].start : pending_.size();
      if (levels_[level].array) {
        path += "[" + std::to_string(end - levels_[level].start) + "]";
      } else {
        if (!path.empty()) path.push_back('.');
        // The member being read: the key of the open child, else the pending key.
        path += level + 1 < levels_.size() ? levels_[level + 1].key : key_;
      }
    }
    return path;
  }

 private:
  struct Level {
    size_t start;     // first pending member of this container
    bool array;
    std::string key;  // this container's key in its parent object
  };

  // An element of a root member array, in outline mode.
  bool AtOutlinedElement() const {
    return outline_ && levels_.size() == 2 && !levels_[0].array && levels_[1].array;
  }
  std::vector<OutlineElement>& OutlinedArray() { return outline_->arrays.back().second; }
  bool JumpOverElement();
  bool EndSkipped() {
    if (--skipping_ == 0) OutlinedArray().push_back({element_begin_, stream_->Tell(), std::nullopt});
    return true;
  }

  bool Open(bool array) {
    if (levels_.size() + skipping_ >= max_depth_) return Fail(ParseErrorKind::kTooDeep);
    if (skipping_ || AtOutlinedElement()) {
      return skipping_++ != 0 || JumpOverElement();
    }
    if (outline_ && array && levels_.size() == 1 && !levels_[0].array)
      outline_->arrays.emplace_back(key_, std::vector<OutlineElement>());  // a root member array opens
    levels_.push_back({pending_.size(), array, std::move(key_)});
    key_.clear();
    return true;
  }
  bool Close(Value v) {
    key_ = std::move(levels_.back().key);
    levels_.pop_back();
    return Add(std::move(v));
  }
  bool Add(Value v) {
    if (levels_.empty()) {
      root_ = std::move(v);
      return true;
    }
    if (AtOutlinedElement()) {
      OutlinedArray().push_back({0, 0, std::move(v)});
      return true;
    }
    pending_.emplace_back(levels_.back().array ? std::string() : std::move(key_), std::move(v));
    return true;
  }
  size_t max_depth_;
  Outline* outline_ = nullptr;
  BoundedStream* stream_ = nullptr;
  size_t skipping_ = 0;        // depth inside an outlined element
  size_t element_begin_ = 0;   // its first byte
  std::vector<Member> pending_;  // members and elements of the open containers, in order
  std::vector<Level> levels_;
  std::string key_;              // the key of the next value of the innermost object
  Value root_;
  bool duplicate_ = false;
};

// The reader moves to the element's closing bracket and sees an empty
// container (a mismatched bracket is then its syntax error).
bool Builder::JumpOverElement() {
  element_begin_ = stream_->Tell() - 1;  // the '{' or '[' just taken
  const size_t close = MatchingClose(stream_->text(), stream_->Tell(), stream_->size());
  if (close == std::string::npos) return Fail(ParseErrorKind::kSyntax);
  stream_->Seek(close);
  return true;
}

ParseResult Failure(ParseErrorKind kind, std::string message, std::string field = {}) {
  ParseResult r;
  r.error = kind;
  r.message = std::move(message);
  r.field = std::move(field);
  return r;
}

}  // namespace

NumberText ReadNumber(std::string_view token) {
  NumberText r;
  if (token.empty() || NumberTokenLength(token.data(), token.size(), 0) != token.size()) return r;
  double value = 0;
  // fast_float takes no leading '+', accepts the whole JSON grammar, and
  // rounds to nearest, ties to even, for any number of digits; overflow
  // gives ±infinity and underflow ±0, as JSON.parse does.
  fast_float::from_chars_result res = fast_float::from_chars(token.data(), token.data() + token.size(), value);
  if (res.ptr != token.data() + token.size()) return r;
  r.valid = true;
  r.finite = std::isfinite(value);
  r.value = value;
  return r;
}

namespace {

// Checks what Builder checks (depth, duplicate keys, UTF-8 and lone
// surrogates, finite numbers) without building anything: IsValid accepts
// exactly what Parse accepts. Keys are compared as views of the in-situ
// buffer, where decoded strings stay put.
class Validator : public StrictHandler {
 public:
  explicit Validator(size_t max_depth) : max_depth_(max_depth) {}
  bool Null() { return true; }
  bool Bool(bool) { return true; }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    double value = 0;
    return ReadFinite(s, n, &value);
  }
  bool String(const char* s, rapidjson::SizeType n, bool) { return CheckText(s, n); }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    if (!CheckText(s, n)) return false;
    keys_.emplace_back(s, n);
    return true;
  }
  bool StartObject() { return Open(keys_.size()); }
  bool EndObject(rapidjson::SizeType) {
    const size_t start = open_.back();
    open_.pop_back();
    std::sort(keys_.begin() + static_cast<std::ptrdiff_t>(start), keys_.end());
    if (std::adjacent_find(keys_.begin() + static_cast<std::ptrdiff_t>(start), keys_.end()) != keys_.end())
      return Fail(ParseErrorKind::kDuplicateKey);
    keys_.resize(start);
    return true;
  }
  bool StartArray() { return Open(kArray); }
  bool EndArray(rapidjson::SizeType) {
    open_.pop_back();
    return true;
  }

 private:
  static constexpr size_t kArray = static_cast<size_t>(-1);
  bool Open(size_t first_key) {
    if (open_.size() >= max_depth_) return Fail(ParseErrorKind::kTooDeep);
    open_.push_back(first_key);
    return true;
  }
  size_t max_depth_;
  std::vector<size_t> open_;  // per open container: its first key in keys_ (kArray for an array)
  std::vector<std::string_view> keys_;
};

// Validator that also writes what it reads back out the way Write would
// (Normalize): RapidJSON's own Writer formats numbers and escapes strings
// otherwise than JSON.stringify, so the core's writer functions are used.
class Normalizer : public Validator {
 public:
  explicit Normalizer(size_t max_depth) : Validator(max_depth) {}
  bool Null() { return Validator::Null() && Put("null"); }
  bool Bool(bool b) { return Validator::Bool(b) && Put(b ? "true" : "false"); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    double value = 0;
    if (!ReadFinite(s, n, &value)) return false;
    BeforeValue();
    AppendNumber(out_, value);  // writes negative zero as 0, as Value stores it
    return true;
  }
  bool String(const char* s, rapidjson::SizeType n, bool copy) {
    if (!Validator::String(s, n, copy)) return false;
    BeforeValue();
    AppendQuoted(out_, std::string_view(s, n));
    return true;
  }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) {
    if (!Validator::Key(s, n, copy)) return false;
    if (needs_comma_.back()) out_.push_back(',');
    needs_comma_.back() = true;
    AppendQuoted(out_, std::string_view(s, n));
    out_.push_back(':');
    after_key_ = true;
    return true;
  }
  bool StartObject() { return Validator::StartObject() && Open('{'); }
  bool EndObject(rapidjson::SizeType n) { return Validator::EndObject(n) && Close('}'); }
  bool StartArray() { return Validator::StartArray() && Open('['); }
  bool EndArray(rapidjson::SizeType n) { return Validator::EndArray(n) && Close(']'); }
  std::string Take() { return std::move(out_); }

 private:
  // A value's separator: none after a key (Key wrote it) or first in its container.
  void BeforeValue() {
    if (after_key_) after_key_ = false;
    else if (!needs_comma_.empty()) {
      if (needs_comma_.back()) out_.push_back(',');
      needs_comma_.back() = true;
    }
  }
  bool Put(const char* literal) {
    BeforeValue();
    out_.append(literal);
    return true;
  }
  bool Open(char bracket) {
    BeforeValue();
    out_.push_back(bracket);
    needs_comma_.push_back(false);
    return true;
  }
  bool Close(char bracket) {
    needs_comma_.pop_back();
    out_.push_back(bracket);
    return true;
  }
  std::string out_;
  std::vector<char> needs_comma_;  // per open container: a member or element came before
  bool after_key_ = false;
};

// No kParseValidateEncodingFlag: every string and key is checked whole by
// CheckText (strict UTF-8, which RapidJSON's own check is not), so RapidJSON's
// per-byte decode-and-re-encode only repeated that work (about a tenth of a
// call). \u escapes are still checked by RapidJSON (unpaired surrogates).
// The same texts are accepted either way; a refused text is read again with
// the check on (kReportFlags), so that a string with bad UTF-8 that also
// fails to close is still reported as bad UTF-8, where RapidJSON stopped.
constexpr unsigned kParseFlags = rapidjson::kParseInsituFlag | rapidjson::kParseNumbersAsStringsFlag;
constexpr unsigned kReportFlags = kParseFlags | rapidjson::kParseValidateEncodingFlag;

// One in-situ parse of a copy of `text` into a fresh handler; in outline
// mode the copy is made as the reader goes (BoundedStream).
template <unsigned kFlags, class Handler>
rapidjson::ParseResult ParseCopy(std::string_view text, const ParseLimits& limits, Outline* outline,
                                 std::optional<Handler>* handler) {
  handler->emplace(limits.max_depth);
  std::unique_ptr<char[]> buffer(new char[text.size() + 1]);
  const size_t copied = outline ? 0 : text.size();
  std::memcpy(buffer.get(), text.data(), copied);
  BoundedStream stream(buffer.get(), text, copied);
  if constexpr (std::is_same_v<Handler, Builder>)
    if (outline) (*handler)->OutlineInto(outline, &stream);
  rapidjson::Reader reader;
  return reader.Parse<kFlags>(stream, **handler);
}

// Parses `text` into `handler`. Only a number RapidJSON wrongly calls too
// big needs NormalizeLargeNumbers (a scan of the whole text, so not done up
// front): the text is then parsed again, rewritten; up to that token both
// parses saw the same events.
template <unsigned kFlags = kParseFlags, class Handler>
rapidjson::ParseResult ParseText(std::string_view text, const ParseLimits& limits, Outline* outline,
                                 std::optional<Handler>* handler) {
  rapidjson::ParseResult pr = ParseCopy<kFlags>(text, limits, outline, handler);
  if (!pr && pr.Code() == rapidjson::kParseErrorNumberTooBig && (*handler)->error() == ParseErrorKind::kNone) {
    std::string rewritten(text);
    NormalizeLargeNumbers(rewritten);
    if (outline) outline->arrays.clear();
    pr = ParseCopy<kFlags>(std::string_view(rewritten), limits, outline, handler);
  }
  return pr;
}

ParseResult ParseWith(std::string_view text, const ParseLimits& limits, Outline* outline) {
  if (text.size() > limits.max_bytes)
    return Failure(ParseErrorKind::kTooLarge, "request body exceeds " + std::to_string(limits.max_bytes) + " bytes");
  // RapidJSON stops at a NUL byte as if the text ended there.
  if (std::memchr(text.data(), '\0', text.size()) != nullptr)
    return Failure(ParseErrorKind::kSyntax, "unexpected NUL byte");
  std::optional<Builder> built;
  rapidjson::ParseResult pr = ParseText(text, limits, outline, &built);
  if (pr) {
    ParseResult r;
    r.value = built->TakeRoot();
    return r;
  }
  if (built->error() == ParseErrorKind::kNone) pr = ParseText<kReportFlags>(text, limits, nullptr, &built);
  Builder& builder = *built;
  switch (builder.error()) {
    case ParseErrorKind::kTooDeep:
      return Failure(ParseErrorKind::kTooDeep, "JSON nesting deeper than " + std::to_string(limits.max_depth));
    case ParseErrorKind::kDuplicateKey:
      return Failure(ParseErrorKind::kDuplicateKey, "duplicate object key", builder.CurrentPath());
    case ParseErrorKind::kInvalidUtf8:
      return Failure(ParseErrorKind::kInvalidUtf8, "invalid UTF-8 or unpaired surrogate in string");
    case ParseErrorKind::kNumberOverflow:
      return Failure(ParseErrorKind::kNumberOverflow, "number overflows a double (NaN and Infinity are not JSON)",
                     builder.CurrentPath());
    default:
      break;
  }
  switch (pr.Code()) {
    case rapidjson::kParseErrorNumberTooBig:  // only overflowing tokens reach here (NormalizeLargeNumbers)
      return Failure(ParseErrorKind::kNumberOverflow, "number overflows a double (NaN and Infinity are not JSON)",
                     builder.CurrentPath());
    case rapidjson::kParseErrorStringInvalidEncoding:
    case rapidjson::kParseErrorStringUnicodeSurrogateInvalid:
      return Failure(ParseErrorKind::kInvalidUtf8, "invalid UTF-8 or unpaired surrogate in string");
    default:
      return Failure(ParseErrorKind::kSyntax, std::string("invalid JSON: ") + rapidjson::GetParseError_En(pr.Code()) +
                                                  " at offset " + std::to_string(pr.Offset()));
  }
}

}  // namespace

ParseResult Parse(std::string_view text, const ParseLimits& limits) { return ParseWith(text, limits, nullptr); }

bool IsValid(std::string_view text, const ParseLimits& limits) {
  if (text.size() > limits.max_bytes || std::memchr(text.data(), '\0', text.size()) != nullptr) return false;
  std::optional<Validator> validator;
  return static_cast<bool>(ParseText(text, limits, nullptr, &validator));
}

std::optional<std::string> Normalize(std::string_view text, const ParseLimits& limits) {
  if (text.size() > limits.max_bytes || std::memchr(text.data(), '\0', text.size()) != nullptr) return std::nullopt;
  std::optional<Normalizer> normalizer;
  if (!ParseText(text, limits, nullptr, &normalizer)) return std::nullopt;
  return normalizer->Take();
}

namespace {

// The end of the JSON value starting at text[i] (valid JSON assumed; a
// truncated value ends at the text's end).
size_t ValueEnd(std::string_view text, size_t i) {
  int depth = 0;
  bool in_string = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') {
        in_string = false;
        if (depth == 0) return i + 1;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return i;  // a scalar ends at its container's close
      if (--depth == 0) return i + 1;
    } else if (depth == 0 && (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
      return i;
    }
  }
  return text.size();
}

size_t SkipSpace(std::string_view text, size_t i) {
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
  return i;
}

}  // namespace

std::vector<MemberText> MemberTexts(std::string_view text) {
  std::vector<MemberText> members;
  size_t i = SkipSpace(text, 0);
  if (i >= text.size() || text[i] != '{') return members;
  i = SkipSpace(text, i + 1);
  while (i < text.size() && text[i] == '"') {
    const size_t key_end = ValueEnd(text, i);  // just past the closing quote
    if (key_end < i + 2) break;
    std::string_view key = text.substr(i + 1, key_end - i - 2);
    i = SkipSpace(text, key_end);
    if (i >= text.size() || text[i] != ':') break;
    i = SkipSpace(text, i + 1);
    const size_t value_end = ValueEnd(text, i);
    if (value_end <= i) break;
    members.push_back(MemberText{key, text.substr(i, value_end - i)});
    i = SkipSpace(text, value_end);
    if (i >= text.size() || text[i] != ',') break;
    i = SkipSpace(text, i + 1);
  }
  return members;
}

ParseResult ParseOutline(std::string_view text, const ParseLimits& limits, Outline* outline) {
  outline->arrays.clear();
  ParseResult r = ParseWith(text, limits, outline);
  if (!r.ok()) outline->arrays.clear();
  return r;
}

Value ParseStored(std::string_view text) {
  ParseLimits limits;
  limits.max_bytes = SIZE_MAX;
  limits.max_depth = 256;  // as deep as an imported stored text may be (state/records.h kStoredTextLimits)
  ParseResult r = Parse(text, limits);
  return r.ok() ? std::move(r.value) : Value();
}

}  // namespace adcp::json

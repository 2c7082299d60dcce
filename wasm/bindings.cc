// WebAssembly binding (Emscripten 3.1.6 + Embind): the same thin surface
// as node/addon.cc, so the JS facade drives both backends identically.
//
//   new CoreAgent(configJson, hooks, state)   // state: JSON text or UTF-8 bytes (Uint8Array); "" = fresh
//   agent.error() / call() / getTask() / admin() / exportState() / publicJwk()
//   agent.delete()                                 // Embind handles are not GC'd
//   utility(name, arg1, arg2) -> {"ok":..} JSON
//
// Texts cross with TextEncoder and TextDecoder (see Text below), not with
// Embind's std::string conversion.
//
// Hooks arrive wrapped by the facade so they never throw (a JS throw would
// unwind through WASM frames without running destructors); a hook answers
// with the expected type, or anything else (an Error object) to fail.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <memory>
#include <string>

#include "adcp_governance.h"

using emscripten::val;

namespace {

std::string FailureMessage(const val& v) {
  if (v.typeOf().as<std::string>() == "object" && !v.isNull()) {
    val m = v["message"];
    if (m.typeOf().as<std::string>() == "string") return m.as<std::string>();
  }
  return "hook returned an unexpected value";
}

// JSON texts in and out. Embind 3.1.6 converts a std::string one byte at a
// time in JS (and scans every answer byte for NULs); the runtime's own
// TextEncoder and TextDecoder copy them natively through a view of the
// module's memory (issue 15: the conversions were ~10 % of a WASM call).
// Both give the same text: JS strings reach here well-formed (the facade's
// jsonText), and the core writes valid UTF-8.
class Text {
 public:
  static const Text& Get() {
    static const Text text;
    return text;
  }
  // A JS string (UTF-8 encoded) or UTF-8 bytes (a Uint8Array) as a C++ string.
  // (A Uint8Array whose length lies, or a view on this module's memory that
  // the allocation below detaches, makes `set` throw through WASM frames,
  // as Embind's own copy loop did; neither reaches here from the facade.)
  std::string In(const val& v) const {
    const val bytes = v.isString() ? encoder_.call<val>("encode", v) : v;
    const size_t length = bytes["length"].as<size_t>();
    std::string out(length, '\0');
    // The view is made after `out` is allocated: memory growth detaches views.
    if (length) val(emscripten::typed_memory_view(length, reinterpret_cast<uint8_t*>(out.data()))).call<void>("set", bytes);
    return out;
  }
  val Out(std::string_view text) const {
    return decoder_.call<val>("decode", val(emscripten::typed_memory_view(text.size(), reinterpret_cast<const uint8_t*>(text.data()))));
  }
  bool IsBytes(const val& v) const { return v.instanceof(uint8_array_); }

 private:
  Text()
      : encoder_(val::global("TextEncoder").new_()),
        decoder_(val::global("TextDecoder").new_(std::string("utf-8"), DecoderOptions())),
        uint8_array_(val::global("Uint8Array")) {}
  // Byte for byte: a leading U+FEFF stays (TextDecoder drops it by default).
  static val DecoderOptions() {
    val options = val::object();
    options.set("ignoreBOM", true);
    return options;
  }
  val encoder_, decoder_, uint8_array_;
};

bool IsText(const val& v) { return v.isString() || Text::Get().IsBytes(v); }

class CoreAgent {
 public:
  CoreAgent(std::string config, val hooks, val state_text) {
    const Text& text = Text::Get();
    adcp::Hooks h;
    auto fn = [&](const char* name, val* slot) {
      val v = hooks[name];
      if (v.typeOf().as<std::string>() == "function") *slot = v;
      return !slot->isUndefined();
    };
    if (fn("nowMs", &now_ms_))
      h.now_ms = [this]() -> adcp::HookResult<double> {
        val v = now_ms_();
        if (!v.isNumber()) return adcp::HookResult<double>::Fail(FailureMessage(v));
        return {v.as<double>(), ""};
      };
    if (fn("randomBytes", &random_bytes_))
      h.random_bytes = [this](size_t n) -> adcp::HookResult<std::string> {
        val v = random_bytes_(static_cast<double>(n));
        if (!Text::Get().IsBytes(v)) return adcp::HookResult<std::string>::Fail(FailureMessage(v));
        return {Text::Get().In(v), ""};
      };
    if (fn("sign", &sign_))
      h.sign = [this](std::string_view input, std::string_view alg, std::string_view kid) {
        return String(sign_(Text::Get().Out(input), std::string(alg), std::string(kid)));
      };
    if (fn("resolveBrand", &resolve_brand_))
      h.resolve_brand = [this](std::string_view a) { return String(resolve_brand_(Text::Get().Out(a))); };
    if (fn("resolvePolicies", &resolve_policies_))
      h.resolve_policies = [this](std::string_view a) { return String(resolve_policies_(Text::Get().Out(a))); };
    if (fn("evaluatePolicies", &evaluate_policies_))
      h.evaluate_policies = [this](std::string_view a) { return String(evaluate_policies_(Text::Get().Out(a))); };
    if (fn("verifyHumanApproval", &verify_human_approval_))
      h.verify_human_approval = [this](std::string_view a) { return String(verify_human_approval_(Text::Get().Out(a))); };
    if (fn("evaluateAttestation", &evaluate_attestation_))
      h.evaluate_attestation = [this](std::string_view a, std::string_view b) {
        return String(evaluate_attestation_(Text::Get().Out(a), Text::Get().Out(b)));
      };
    if (!IsText(state_text)) {
      error_ = adcp::GovernanceAgent::DescribeFailure(
          "INVALID_ARGUMENT", "CoreAgent(configJson, hooks, state) expects a string, an object and a string or Uint8Array",
          "");
      return;
    }
    const std::string state = text.In(state_text);
    adcp::Expected<std::unique_ptr<adcp::GovernanceAgent>> created =
        state.empty() ? adcp::GovernanceAgent::Create(config, std::move(h))
                      : adcp::GovernanceAgent::Import(config, state, std::move(h));
    if (created.ok())
      agent_ = std::move(created.value);
    else
      error_ = adcp::GovernanceAgent::DescribeFailure(created.code, created.error, created.field);
  }

  std::string error() const { return error_; }
  // The facade checks error() before any other call.
  // Arguments arrive as JS values and are checked here: a conversion that
  // failed in Embind's invoker would leak the arguments converted before it.
  val call(val task, val request, val auth) {
    if (!task.isString() || !request.isString() || !auth.isString())
      return Unexpected("call(task, requestJson, authJson) expects strings");
    const Text& text = Text::Get();
    changes_are_current_ = true;
    return Out(agent_ ? agent_->Call(text.In(task), text.In(request), text.In(auth)) : NotReady());
  }
  val getTask(std::string id) {
    changes_are_current_ = true;
    return Out(agent_ ? agent_->GetTask(id) : NotReady());
  }
  val admin(val op) {
    if (!op.isString()) return Unexpected("admin(opJson) expects a string");
    changes_are_current_ = true;
    return Out(agent_ ? agent_->Admin(Text::Get().In(op)) : NotReady());
  }
  val exportState() const { return Out(agent_ ? agent_->ExportState() : "null"); }
  val publicJwk() const { return Out(agent_ ? agent_->PublicJwk() : "null"); }
  // After a call refused here the core still holds the previous call's
  // change set, which must not be reported (and journaled) twice.
  val lastChangeSet() const { return Out(agent_ && changes_are_current_ ? agent_->LastChangeSet() : std::string()); }
  // "" when applied, else the error as {"code","message","recovery","field"?}.
  std::string applyChangeSet(val change_set) {
    if (!change_set.isString())
      return adcp::GovernanceAgent::DescribeFailure("INVALID_ARGUMENT", "applyChangeSet expects a string", "");
    if (!agent_) return adcp::GovernanceAgent::DescribeFailure("SERVICE_UNAVAILABLE", "agent not constructed", "");
    adcp::Expected<bool> r = agent_->ApplyChangeSet(Text::Get().In(change_set));
    return r.ok() ? std::string() : adcp::GovernanceAgent::DescribeFailure(r.code, r.error, r.field);
  }

 private:
  static adcp::HookResult<std::string> String(const val& v) {
    if (!v.isString()) return adcp::HookResult<std::string>::Fail(FailureMessage(v));
    return {Text::Get().In(v), ""};
  }
  static val Out(std::string_view answer) { return Text::Get().Out(answer); }
  // A wrong argument type: a failed answer. The add-on throws a TypeError;
  // a JS throw here would unwind through WASM frames. The facade never
  // passes one (its jsonText refuses what is not JSON text).
  val Unexpected(const char* message) {
    changes_are_current_ = false;
    return Out(R"({"status":"failed","errors":[)" + adcp::GovernanceAgent::DescribeFailure("INVALID_ARGUMENT", message, "") + "]}");
  }
  std::string NotReady() const {
    return R"({"status":"failed","errors":[{"code":"SERVICE_UNAVAILABLE","message":"agent not constructed","recovery":"transient"}]})";
  }

  std::string error_;
  std::unique_ptr<adcp::GovernanceAgent> agent_;
  bool changes_are_current_ = true;
  val now_ms_ = val::undefined(), random_bytes_ = val::undefined(), sign_ = val::undefined(),
      resolve_brand_ = val::undefined(), resolve_policies_ = val::undefined(), evaluate_policies_ = val::undefined(),
      evaluate_attestation_ = val::undefined(), verify_human_approval_ = val::undefined();
};

val Utility(std::string name, val a, val b) {
  const Text& text = Text::Get();
  if (!a.isString() || !b.isString()) return text.Out(R"({"ok":false,"error":"utility(name, a, b) expects strings"})");
  return text.Out(adcp::GovernanceAgent::Utility(name, text.In(a), text.In(b)));
}

}  // namespace

EMSCRIPTEN_BINDINGS(adcp_governance) {
  emscripten::class_<CoreAgent>("CoreAgent")
      .constructor<std::string, val, val>()
      .function("error", &CoreAgent::error)
      .function("call", &CoreAgent::call)
      .function("getTask", &CoreAgent::getTask)
      .function("admin", &CoreAgent::admin)
      .function("exportState", &CoreAgent::exportState)
      .function("publicJwk", &CoreAgent::publicJwk)
      .function("lastChangeSet", &CoreAgent::lastChangeSet)
      .function("applyChangeSet", &CoreAgent::applyChangeSet);
  emscripten::function("utility", &Utility);
}

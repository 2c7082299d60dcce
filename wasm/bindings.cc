// WebAssembly binding (Emscripten 3.1.6 + Embind): the same thin surface
// as node/addon.cc, so the JS facade drives both backends identically.
//
//   new CoreAgent(configJson, hooks, state)   // state: JSON text or UTF-8 bytes (Uint8Array); "" = fresh
//   agent.error() / call() / getTask() / admin() / exportState() / publicJwk()
//   agent.delete()                                 // Embind handles are not GC'd
//   utility(name, arg1, arg2) -> {"ok":..} JSON
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

bool IsString(const val& v) { return v.typeOf().as<std::string>() == "string"; }

class CoreAgent {
 public:
  CoreAgent(std::string config, val hooks, std::string state) {
    adcp::Hooks h;
    auto fn = [&](const char* name, val* slot) {
      val v = hooks[name];
      if (v.typeOf().as<std::string>() == "function") *slot = v;
      return !slot->isUndefined();
    };
    if (fn("nowMs", &now_ms_))
      h.now_ms = [this]() -> adcp::HookResult<double> {
        val v = now_ms_();
        if (v.typeOf().as<std::string>() != "number") return adcp::HookResult<double>::Fail(FailureMessage(v));
        return {v.as<double>(), ""};
      };
    if (fn("randomBytes", &random_bytes_))
      h.random_bytes = [this](size_t n) -> adcp::HookResult<std::string> {
        val v = random_bytes_(static_cast<double>(n));
        if (!v.instanceof(val::global("Uint8Array"))) return adcp::HookResult<std::string>::Fail(FailureMessage(v));
        const size_t length = v["length"].as<size_t>();
        std::string out(length, '\0');
        for (size_t i = 0; i < length; ++i) out[i] = static_cast<char>(v[i].as<unsigned>());
        return {out, ""};
      };
    if (fn("sign", &sign_))
      h.sign = [this](std::string_view input, std::string_view alg, std::string_view kid) {
        return String(sign_(std::string(input), std::string(alg), std::string(kid)));
      };
    if (fn("resolveBrand", &resolve_brand_))
      h.resolve_brand = [this](std::string_view a) { return String(resolve_brand_(std::string(a))); };
    if (fn("resolvePolicies", &resolve_policies_))
      h.resolve_policies = [this](std::string_view a) { return String(resolve_policies_(std::string(a))); };
    if (fn("evaluatePolicies", &evaluate_policies_))
      h.evaluate_policies = [this](std::string_view a) { return String(evaluate_policies_(std::string(a))); };
    if (fn("verifyHumanApproval", &verify_human_approval_))
      h.verify_human_approval = [this](std::string_view a) { return String(verify_human_approval_(std::string(a))); };
    if (fn("evaluateAttestation", &evaluate_attestation_))
      h.evaluate_attestation = [this](std::string_view a, std::string_view b) {
        return String(evaluate_attestation_(std::string(a), std::string(b)));
      };
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
  std::string call(std::string task, std::string request, std::string auth) {
    return agent_ ? agent_->Call(task, request, auth) : NotReady();
  }
  std::string getTask(std::string id) { return agent_ ? agent_->GetTask(id) : NotReady(); }
  std::string admin(std::string op) { return agent_ ? agent_->Admin(op) : NotReady(); }
  std::string exportState() const { return agent_ ? agent_->ExportState() : "null"; }
  std::string publicJwk() const { return agent_ ? agent_->PublicJwk() : "null"; }
  std::string lastChangeSet() const { return agent_ ? agent_->LastChangeSet() : std::string(); }
  // "" when applied, else the error as {"code","message","recovery","field"?}.
  std::string applyChangeSet(std::string change_set) {
    if (!agent_) return adcp::GovernanceAgent::DescribeFailure("SERVICE_UNAVAILABLE", "agent not constructed", "");
    adcp::Expected<bool> r = agent_->ApplyChangeSet(change_set);
    return r.ok() ? std::string() : adcp::GovernanceAgent::DescribeFailure(r.code, r.error, r.field);
  }

 private:
  static adcp::HookResult<std::string> String(const val& v) {
    if (!IsString(v)) return adcp::HookResult<std::string>::Fail(FailureMessage(v));
    return {v.as<std::string>(), ""};
  }
  std::string NotReady() const {
    return R"({"status":"failed","errors":[{"code":"SERVICE_UNAVAILABLE","message":"agent not constructed","recovery":"transient"}]})";
  }

  std::string error_;
  std::unique_ptr<adcp::GovernanceAgent> agent_;
  val now_ms_ = val::undefined(), random_bytes_ = val::undefined(), sign_ = val::undefined(),
      resolve_brand_ = val::undefined(), resolve_policies_ = val::undefined(), evaluate_policies_ = val::undefined(),
      evaluate_attestation_ = val::undefined(), verify_human_approval_ = val::undefined();
};

std::string Utility(std::string name, std::string a, std::string b) {
  return adcp::GovernanceAgent::Utility(name, a, b);
}

}  // namespace

EMSCRIPTEN_BINDINGS(adcp_governance) {
  emscripten::class_<CoreAgent>("CoreAgent")
      .constructor<std::string, val, std::string>()
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

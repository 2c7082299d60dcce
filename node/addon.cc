// Node add-on (node-addon-api, N-API 8, C++ exceptions off): a thin wrapper
// of adcp::GovernanceAgent. JSON text in and out; the only object crossing
// into JS is the agent handle. Logic lives in the core; the JS facade (js/)
// builds requests, parses results and throws the facade's errors.
//
//   new CoreAgent(configJson, hooks, state)   // state: JSON text or UTF-8 bytes (Uint8Array); "" = fresh
//   agent.error() -> "" | construction/import error
//   agent.call(task, requestJson, authJson) / getTask(id) / admin(opJson)
//   agent.exportState() / publicJwk()
//   utility(name, arg1, arg2) -> {"ok":..} JSON (GovernanceAgent::Utility)
//
// Hooks arrive already wrapped by the facade so they never throw; a hook
// answers with the expected type, or anything else (an Error object carrying
// `message`) to fail. Either way the core sees a HookResult.
#define NAPI_VERSION 8
#include <napi.h>

#include <dlfcn.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "adcp_governance.h"

namespace {

bool IsAscii(std::string_view s) {
  uint64_t high = 0;
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, s.data() + i, 8);
    high |= word;
  }
  for (; i < s.size(); ++i) high |= static_cast<unsigned char>(s[i]);
  return (high & 0x8080808080808080ull) == 0;
}

// A JS string of the core's UTF-8 text. ASCII text (nearly every answer) is
// copied in as Latin-1, byte for byte: V8's UTF-8 decoder took most of the
// time of a 160 KB audit page (issue 15).
Napi::Value JsText(Napi::Env env, std::string_view text) {
  if (!IsAscii(text)) return Napi::String::New(env, text.data(), text.size());
  napi_value out;
  if (napi_create_string_latin1(env, text.data(), text.size(), &out) != napi_ok) return Napi::String::New(env, text.data(), text.size());
  return Napi::Value(env, out);
}

// node_api_create_external_string_latin1 (Node >= 20.4; experimental before
// N-API 10), looked up when the add-on loads so that an older Node simply
// copies. An external string keeps the core's buffer instead of a copy: a
// copy over 128 KB (an audit page) is a large V8 object, mapped and unmapped
// on every call, which cost a page as much as the core's work (issue 15).
using CreateExternalLatin1 = napi_status (*)(napi_env, char*, size_t, napi_finalize, void*, napi_value*, bool*);
const CreateExternalLatin1 kCreateExternalLatin1 =
    reinterpret_cast<CreateExternalLatin1>(dlsym(RTLD_DEFAULT, "node_api_create_external_string_latin1"));
constexpr size_t kExternalTextMin = 64 * 1024;

Napi::Value JsText(Napi::Env env, std::string&& text) {
  if (text.size() < kExternalTextMin || !kCreateExternalLatin1 || !IsAscii(text)) return JsText(env, std::string_view(text));
  auto* kept = new std::string(std::move(text));
  // Counted before the string is made: a runtime that copies it instead
  // (V8 sandbox builds) calls the finalizer at once, which gives it back.
  const auto size = static_cast<int64_t>(kept->size());
  int64_t total = 0;
  napi_adjust_external_memory(env, size, &total);
  napi_value out;
  bool copied = false;
  const napi_status made = kCreateExternalLatin1(
      env, kept->data(), kept->size(),
      [](napi_env finalizing, void*, void* hint) {
        auto* text = static_cast<std::string*>(hint);
        int64_t total = 0;
        napi_adjust_external_memory(finalizing, -static_cast<int64_t>(text->size()), &total);
        delete text;
      },
      kept, &out, &copied);
  if (made != napi_ok) {  // the finalizer was not called
    napi_adjust_external_memory(env, -size, &total);
    Napi::Value fallback = JsText(env, std::string_view(*kept));
    delete kept;
    return fallback;
  }
  // V8 does not count the buffer towards its heap: told nothing, it let ~3 GB
  // of answers pile up before collecting them (an earlier trial). When it
  // copied the text (`copied`), the finalizer has already freed `kept`.
  return Napi::Value(env, out);
}

std::string FailureMessage(const Napi::Value& v) {
  if (v.IsObject()) {
    Napi::Value m = v.As<Napi::Object>().Get("message");
    if (!m.IsEmpty() && m.IsString()) return m.As<Napi::String>().Utf8Value();
  }
  return "hook returned an unexpected value";
}

// Calls a hook; clears a pending JS exception into a failure message.
bool CallHook(Napi::Env env, const Napi::FunctionReference& fn, const std::vector<napi_value>& args,
              Napi::Value* out, std::string* error) {
  Napi::Value v = fn.Call(args);
  if (env.IsExceptionPending()) {
    Napi::Error e = env.GetAndClearPendingException();
    *error = e.Message();
    return false;
  }
  if (v.IsEmpty()) {
    *error = "hook failed";
    return false;
  }
  *out = v;
  return true;
}

class CoreAgent : public Napi::ObjectWrap<CoreAgent> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "CoreAgent",
                       {InstanceMethod("error", &CoreAgent::Error), InstanceMethod("call", &CoreAgent::Call),
                        InstanceMethod("getTask", &CoreAgent::GetTask), InstanceMethod("admin", &CoreAgent::Admin),
                        InstanceMethod("exportState", &CoreAgent::ExportState),
                        InstanceMethod("publicJwk", &CoreAgent::PublicJwk),
                        InstanceMethod("lastChangeSet", &CoreAgent::LastChangeSet),
                        InstanceMethod("applyChangeSet", &CoreAgent::ApplyChangeSet)});
  }

  explicit CoreAgent(const Napi::CallbackInfo& info) : Napi::ObjectWrap<CoreAgent>(info), env_(info.Env()) {
    const bool state_is_bytes = info.Length() >= 3 && info[2].IsTypedArray() &&
                                info[2].As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array;
    if (info.Length() < 3 || !info[0].IsString() || !info[1].IsObject() || !(info[2].IsString() || state_is_bytes)) {
      error_ = adcp::GovernanceAgent::DescribeFailure(
          "INVALID_ARGUMENT", "CoreAgent(configJson, hooks, state) expects a string, an object and a string or Uint8Array",
          "");
      return;
    }
    Napi::Object hooks = info[1].As<Napi::Object>();
    adcp::Hooks h;
    auto ref = [&](const char* name, Napi::FunctionReference* slot) {
      Napi::Value v = hooks.Get(name);
      if (!v.IsEmpty() && v.IsFunction()) *slot = Napi::Persistent(v.As<Napi::Function>());
      return !slot->IsEmpty();
    };
    if (ref("nowMs", &now_ms_))
      h.now_ms = [this]() -> adcp::HookResult<double> {
        Napi::Value v;
        std::string err;
        if (!CallHook(env_, now_ms_, {}, &v, &err)) return adcp::HookResult<double>::Fail(err);
        if (!v.IsNumber()) return adcp::HookResult<double>::Fail(FailureMessage(v));
        return {v.As<Napi::Number>().DoubleValue(), ""};
      };
    if (ref("randomBytes", &random_bytes_))
      h.random_bytes = [this](size_t n) -> adcp::HookResult<std::string> {
        Napi::Value v;
        std::string err;
        if (!CallHook(env_, random_bytes_, {Napi::Number::New(env_, static_cast<double>(n))}, &v, &err))
          return adcp::HookResult<std::string>::Fail(err);
        if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
          return adcp::HookResult<std::string>::Fail(FailureMessage(v));
        Napi::Uint8Array a = v.As<Napi::Uint8Array>();
        return {std::string(reinterpret_cast<const char*>(a.Data()), a.ByteLength()), ""};
      };
    if (ref("sign", &sign_))
      h.sign = [this](std::string_view input, std::string_view alg, std::string_view kid) {
        return CallString(sign_, {JsText(env_, input),
                                  Napi::String::New(env_, alg.data(), alg.size()),
                                  Napi::String::New(env_, kid.data(), kid.size())});
      };
    if (ref("resolveBrand", &resolve_brand_))
      h.resolve_brand = [this](std::string_view a) { return CallString(resolve_brand_, {Str(a)}); };
    if (ref("resolvePolicies", &resolve_policies_))
      h.resolve_policies = [this](std::string_view a) { return CallString(resolve_policies_, {Str(a)}); };
    if (ref("evaluatePolicies", &evaluate_policies_))
      h.evaluate_policies = [this](std::string_view a) { return CallString(evaluate_policies_, {Str(a)}); };
    if (ref("verifyHumanApproval", &verify_human_approval_))
      h.verify_human_approval = [this](std::string_view a) { return CallString(verify_human_approval_, {Str(a)}); };
    if (ref("evaluateAttestation", &evaluate_attestation_))
      h.evaluate_attestation = [this](std::string_view a, std::string_view b) {
        return CallString(evaluate_attestation_, {Str(a), Str(b)});
      };
    const std::string config = info[0].As<Napi::String>().Utf8Value();
    // Bytes are read in place (the import is synchronous): no copy of a
    // large snapshot.
    std::string state_text;
    std::string_view state;
    if (state_is_bytes) {
      Napi::Uint8Array bytes = info[2].As<Napi::Uint8Array>();
      state = std::string_view(reinterpret_cast<const char*>(bytes.Data()), bytes.ByteLength());
    } else {
      state_text = info[2].As<Napi::String>().Utf8Value();
      state = state_text;
    }
    adcp::Expected<std::unique_ptr<adcp::GovernanceAgent>> created =
        state.empty() ? adcp::GovernanceAgent::Create(config, std::move(h))
                      : adcp::GovernanceAgent::Import(config, state, std::move(h));
    if (!created.ok()) {
      error_ = adcp::GovernanceAgent::DescribeFailure(created.code, created.error, created.field);
      return;
    }
    agent_ = std::move(created.value);
  }

 private:
  napi_value Str(std::string_view s) { return Napi::String::New(env_, s.data(), s.size()); }

  adcp::HookResult<std::string> CallString(const Napi::FunctionReference& fn, const std::vector<napi_value>& args) {
    Napi::Value v;
    std::string err;
    if (!CallHook(env_, fn, args, &v, &err)) return adcp::HookResult<std::string>::Fail(err);
    if (!v.IsString()) return adcp::HookResult<std::string>::Fail(FailureMessage(v));
    return {v.As<Napi::String>().Utf8Value(), ""};
  }

  // Same answer as the WASM binding; the facade checks error() first.
  Napi::Value NotReady(Napi::Env env) {
    return Napi::String::New(
        env, R"({"status":"failed","errors":[{"code":"SERVICE_UNAVAILABLE","message":"agent not constructed","recovery":"transient"}]})");
  }

  Napi::Value Error(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), error_); }

  Napi::Value Call(const Napi::CallbackInfo& info) {
    if (!agent_) return NotReady(info.Env());
    if (info.Length() < 3 || !info[0].IsString() || !info[1].IsString() || !info[2].IsString()) {
      Napi::TypeError::New(info.Env(), "call(task, requestJson, authJson) expects strings").ThrowAsJavaScriptException();
      return info.Env().Undefined();
    }
    std::string out = agent_->Call(info[0].As<Napi::String>().Utf8Value(), info[1].As<Napi::String>().Utf8Value(),
                                   info[2].As<Napi::String>().Utf8Value());
    return JsText(info.Env(), std::move(out));
  }

  Napi::Value GetTask(const Napi::CallbackInfo& info) {
    if (!agent_) return NotReady(info.Env());
    if (info.Length() < 1 || !info[0].IsString()) {
      Napi::TypeError::New(info.Env(), "getTask(taskId) expects a string").ThrowAsJavaScriptException();
      return info.Env().Undefined();
    }
    return JsText(info.Env(), agent_->GetTask(info[0].As<Napi::String>().Utf8Value()));
  }

  Napi::Value Admin(const Napi::CallbackInfo& info) {
    if (!agent_) return NotReady(info.Env());
    if (info.Length() < 1 || !info[0].IsString()) {
      Napi::TypeError::New(info.Env(), "admin(opJson) expects a string").ThrowAsJavaScriptException();
      return info.Env().Undefined();
    }
    return JsText(info.Env(), agent_->Admin(info[0].As<Napi::String>().Utf8Value()));
  }

  Napi::Value ExportState(const Napi::CallbackInfo& info) {
    if (!agent_) return Napi::String::New(info.Env(), "null");
    return JsText(info.Env(), agent_->ExportState());  // a temporary: kept, not copied, when large
  }

  Napi::Value PublicJwk(const Napi::CallbackInfo& info) {
    if (!agent_) return Napi::String::New(info.Env(), "null");
    return Napi::String::New(info.Env(), agent_->PublicJwk());
  }

  Napi::Value LastChangeSet(const Napi::CallbackInfo& info) {
    return JsText(info.Env(), agent_ ? agent_->LastChangeSet() : std::string());
  }

  // "" when applied, else the error as {"code","message","recovery","field"?}.
  Napi::Value ApplyChangeSet(const Napi::CallbackInfo& info) {
    if (!agent_ || info.Length() < 1 || !info[0].IsString()) {
      Napi::TypeError::New(info.Env(), "applyChangeSet(changeSetJson) expects a string").ThrowAsJavaScriptException();
      return info.Env().Undefined();
    }
    adcp::Expected<bool> r = agent_->ApplyChangeSet(info[0].As<Napi::String>().Utf8Value());
    return Napi::String::New(info.Env(),
                             r.ok() ? std::string() : adcp::GovernanceAgent::DescribeFailure(r.code, r.error, r.field));
  }

  Napi::Env env_;
  std::string error_;
  std::unique_ptr<adcp::GovernanceAgent> agent_;
  Napi::FunctionReference now_ms_, random_bytes_, sign_, resolve_brand_, resolve_policies_, evaluate_policies_,
      evaluate_attestation_, verify_human_approval_;
};

Napi::Value Utility(const Napi::CallbackInfo& info) {
  if (info.Length() < 3 || !info[0].IsString() || !info[1].IsString() || !info[2].IsString()) {
    Napi::TypeError::New(info.Env(), "utility(name, arg1, arg2) expects strings").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  return Napi::String::New(info.Env(),
                           adcp::GovernanceAgent::Utility(info[0].As<Napi::String>().Utf8Value(),
                                                          info[1].As<Napi::String>().Utf8Value(),
                                                          info[2].As<Napi::String>().Utf8Value()));
}

Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  exports.Set("CoreAgent", CoreAgent::Init(env));
  exports.Set("utility", Napi::Function::New(env, Utility, "utility"));
  exports.Set("backend", Napi::String::New(env, "native"));
  return exports;
}

}  // namespace

NODE_API_MODULE(adcp_governance, InitModule)

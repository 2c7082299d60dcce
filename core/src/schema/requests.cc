#include "schema/requests.h"

namespace adcp::schema {
namespace {

bool ContainsKind(const std::vector<std::string>& kinds, const std::string& k) {
  for (const std::string& s : kinds)
    if (s == k) return true;
  return false;
}

Node* WithPattern(Node* n, bool (*p)(std::string_view), const char* text) {
  n->pattern = p;
  n->pattern_text = text;
  return n;
}
Node* MinItems(Node* n, size_t k) {
  n->min_items = k;
  return n;
}
Node* StringArray() { return ArrayOf(Str()); }
Node* Number(std::optional<double> min, std::optional<double> max = std::nullopt) {
  Node* n = Num();
  n->minimum = min;
  n->maximum = max;
  return n;
}
Node* RequiredOnly(std::vector<std::string> required) {
  Node* n = New();
  n->required = std::move(required);
  return n;
}

}  // namespace

bool IsChannel(std::string_view s) {
  static const char* const kChannels[] = {
      "display", "olv",         "social",          "search",       "ctv",    "linear_tv", "radio",
      "streaming_audio", "podcast", "dooh",        "ooh",          "print",  "cinema",    "email",
      "gaming",  "retail_media", "influencer",     "affiliate",    "product_placement", "sponsored_intelligence"};
  for (const char* c : kChannels)
    if (s == c) return true;
  return false;
}

NodeRef ChannelEnum() {
  static NodeRef n = [] {
    return Enum({"display", "olv", "social", "search", "ctv", "linear_tv", "radio", "streaming_audio", "podcast",
                 "dooh", "ooh", "print", "cinema", "email", "gaming", "retail_media", "influencer", "affiliate",
                 "product_placement", "sponsored_intelligence"});
  }();
  return n;
}

NodeRef PurchaseTypeEnum() {
  static NodeRef n = Enum({"media_buy", "rights_license", "signal_activation", "creative_services"});
  return n;
}

NodeRef DateTime() {
  static NodeRef n = [] {
    Node* s = Str();
    s->format = Format::kDateTime;
    return s;
  }();
  return n;
}

NodeRef UriString() {
  static NodeRef n = [] {
    Node* s = Str();
    s->format = Format::kUri;
    return s;
  }();
  return n;
}

NodeRef CurrencyString() {
  static NodeRef n = WithPattern(Str(), IsCurrencyCode, "^[A-Z]{3}$");
  return n;
}

NodeRef IdempotencyKey() {
  static NodeRef n = [] {
    Node* s = Str();
    s->min_length = 16;
    s->max_length = 255;
    return WithPattern(s, IsIdempotencyKey, "^[A-Za-z0-9_.:-]{16,255}$");
  }();
  return n;
}

NodeRef ContextObject() {
  static NodeRef n = ObjectOf({});
  return n;
}

// version-envelope.json, composed into every request.
static void AddVersionEnvelope(Node* n) {
  n->properties.emplace_back("adcp_version", WithPattern(Str(), IsAdcpVersion, "the AdCP release version pattern"));
  Node* major = Int();
  major->minimum = 1;
  major->maximum = 99;
  n->properties.emplace_back("adcp_major_version", major);
}

NodeRef PolicyEntry() {
  static NodeRef n = [] {
    Node* exemplar = ObjectOf({{"scenario", Str()}, {"explanation", Str()}}, {"scenario", "explanation"}, false);
    Node* date = Str();
    date->format = Format::kDate;
    Node* policy = Str();
    policy->max_length = 5000;
    Node* region_aliases = ObjectOf({});
    region_aliases->additional_schema = StringArray();
    return ObjectOf(
        {
            {"policy_id", Str()},
            {"source", Enum({"registry", "inline"})},
            {"version", Str()},
            {"name", Str()},
            {"category", Enum({"regulation", "standard"})},
            {"enforcement", Enum({"must", "should", "may"})},
            {"requires_human_review", Bool()},
            {"jurisdictions", StringArray()},
            {"region_aliases", region_aliases},
            {"policy_categories", StringArray()},
            {"channels", ArrayOf(ChannelEnum())},
            {"governance_domains", ArrayOf(Enum({"campaign", "property", "creative", "content_standards"}))},
            {"effective_date", date},
            {"sunset_date", date},
            {"source_url", UriString()},
            {"source_name", Str()},
            {"policy", policy},
            {"guidance", Str()},
            {"exemplars", ObjectOf({{"pass", ArrayOf(exemplar)}, {"fail", ArrayOf(exemplar)}}, {}, false)},
            {"ext", ObjectOf({})},
        },
        {"policy_id", "enforcement", "policy"}, false);
  }();
  return n;
}

namespace {

NodeRef ImageAsset() {
  static NodeRef n = [] {
    auto positive_int = [] {
      Node* i = Int();
      i->minimum = 1;
      return i;
    };
    Node* ratio = Num();
    ratio->exclusive_minimum = 0;
    Node* focal = ArrayOf(Number(0, 1));
    focal->min_items = 2;
    focal->max_items = 2;
    return ObjectOf({{"asset_type", Const("image")},
                     {"url", UriString()},
                     {"width", positive_int()},
                     {"height", positive_int()},
                     {"file_size_bytes", positive_int()},
                     {"pixel_ratio", ratio},
                     {"state_id", Str()},
                     {"breakpoint_id", Str()},
                     {"focal_point", focal},
                     {"format", Str()},
                     {"alt_text", Str()},
                     {"provenance", ObjectOf({})}},
                    {"asset_type", "url", "width", "height"});
  }();
  return n;
}

NodeRef SignalRef() {
  static NodeRef n = [] {
    NodeRef sid = WithPattern(Str(), IsSignalId, "^[a-zA-Z0-9_-]+$");
    auto forbid = [](std::vector<std::string> keys) {
      Node* any = New();
      for (auto& k : keys) any->any_of.push_back(RequiredOnly({k}));
      return any;
    };
    Node* product = ObjectOf({{"scope", Const("product")}, {"signal_id", sid}}, {"scope", "signal_id"});
    product->not_schema = forbid({"data_provider_domain", "signal_source_url", "agent_url", "source", "id"});
    Node* provider = ObjectOf({{"scope", Const("data_provider")},
                               {"data_provider_domain", WithPattern(Str(), IsDomain, "the domain pattern")},
                               {"signal_id", sid}},
                              {"scope", "data_provider_domain", "signal_id"});
    provider->not_schema = forbid({"agent_url", "signal_source_url", "source", "id"});
    Node* source = ObjectOf({{"scope", Const("signal_source")}, {"signal_source_url", UriString()}, {"signal_id", sid}},
                            {"scope", "signal_source_url", "signal_id"});
    source->not_schema = forbid({"data_provider_domain", "agent_url", "source", "id"});
    Node* ref = New();
    ref->one_of = {product, provider, source};
    return ref;
  }();
  return n;
}

NodeRef SignalIdRef() {
  static NodeRef n = [] {
    NodeRef id = WithPattern(Str(), IsSignalId, "^[a-zA-Z0-9_-]+$");
    Node* catalog = ObjectOf({{"source", Const("catalog")},
                              {"data_provider_domain", WithPattern(Str(), IsDomain, "the domain pattern")},
                              {"id", id}},
                             {"source", "data_provider_domain", "id"});
    Node* agent = ObjectOf({{"source", Const("agent")}, {"agent_url", UriString()}, {"id", id}},
                           {"source", "agent_url", "id"});
    Node* ref = New();
    ref->one_of = {catalog, agent};
    return ref;
  }();
  return n;
}

NodeRef AudienceSelector() {
  static NodeRef n = [] {
    auto signal_branch = [](const char* value_type, std::vector<std::pair<std::string, NodeRef>> extra,
                            std::vector<std::string> required) {
      std::vector<std::pair<std::string, NodeRef>> props = {
          {"type", Const("signal")}, {"signal_ref", SignalRef()}, {"signal_id", SignalIdRef()},
          {"value_type", Const(value_type)}};
      for (auto& e : extra) props.push_back(e);
      Node* b = ObjectOf(props, required);
      b->any_of = {RequiredOnly({"signal_ref"}), RequiredOnly({"signal_id"})};
      return b;
    };
    Node* values = StringArray();
    values->min_items = 1;
    Node* sel = New();
    sel->one_of = {
        signal_branch("binary", {{"value", Bool()}}, {"type", "value_type", "value"}),
        signal_branch("categorical", {{"values", values}}, {"type", "value_type", "values"}),
        signal_branch("numeric", {{"min_value", Num()}, {"max_value", Num()}}, {"type", "value_type"}),
        ObjectOf({{"type", Const("description")}, {"category", Str()}}, {"type", "description"}),
    };
    return sel;
  }();
  return n;
}

}  // namespace

NodeRef BrandRef() {
  static NodeRef n = [] {
    Node* countries = ArrayOf(WithPattern(Str(), IsCountryCode, "^[A-Z]{2}$"));
    countries->min_items = 1;
    countries->unique_items = true;
    Node* https_uri = Str();
    https_uri->format = Format::kUri;
    WithPattern(https_uri, [](std::string_view s) { return s.substr(0, 8) == "https://"; }, "^https://");
    Node* email = Str();
    email->format = Format::kEmail;
    Node* contestation =
        ObjectOf({{"url", https_uri}, {"email", email}, {"languages", StringArray()}}, {}, false);
    contestation->any_of = {RequiredOnly({"url"}), RequiredOnly({"email"})};
    NodeRef color = WithPattern(Str(), IsHexColor, "^#[0-9a-fA-F]{6}$");
    Node* kit = ObjectOf({{"logo", ImageAsset()},
                          {"colors", ObjectOf({{"primary", color}, {"secondary", color}, {"accent", color}})},
                          {"voice", Str()},
                          {"tagline", Str()}});
    return ObjectOf({{"domain", WithPattern(Str(), IsDomain, "the brand domain pattern")},
                     {"brand_id", WithPattern(Str(), IsBrandId, "^[a-z0-9_]+$")},
                     {"countries", countries},
                     {"industries", StringArray()},
                     {"data_subject_contestation", contestation},
                     {"brand_kit_override", kit}},
                    {"domain"}, false);
  }();
  return n;
}

NodeRef SyncPlansRequest() {
  static NodeRef n = [] {
    // budget
    Node* allocation = ObjectOf({{"amount", Number(0)}, {"max_pct", Number(0, 100)}}, {}, false);
    Node* allocations = ObjectOf({});
    allocations->property_names = PurchaseTypeEnum();
    allocations->additional_schema = allocation;
    Node* realloc_threshold = Number(0);
    Node* budget = ObjectOf({{"total", Num()},
                             {"currency", Str()},
                             {"accounting_mode", Enum({"gross_commitment", "verified_net_cost"})},
                             {"per_seller_max_pct", Num()},
                             {"reallocation_threshold", realloc_threshold},
                             {"reallocation_unlimited", Bool()},
                             {"allocations", allocations}},
                            {"total", "currency"}, false);
    Node* branch_threshold = RequiredOnly({"reallocation_threshold"});
    branch_threshold->not_schema = RequiredOnly({"reallocation_unlimited"});
    Node* branch_unlimited = RequiredOnly({"reallocation_unlimited"});
    branch_unlimited->properties = {{"reallocation_unlimited", Const(true)}};
    branch_unlimited->not_schema = RequiredOnly({"reallocation_threshold"});
    budget->one_of = {branch_threshold, branch_unlimited};
    // channels
    Node* mix_target = ObjectOf({{"min_pct", Num()}, {"max_pct", Num()}}, {}, false);
    Node* mix_targets = ObjectOf({});
    mix_targets->additional_schema = mix_target;
    Node* channels = ObjectOf(
        {{"required", ArrayOf(ChannelEnum())}, {"allowed", ArrayOf(ChannelEnum())}, {"mix_targets", mix_targets}}, {},
        false);
    Node* flight = ObjectOf({{"start", DateTime()}, {"end", DateTime()}}, {"start", "end"}, false);
    Node* money = ObjectOf({{"amount", Num()}, {"currency", Str()}}, {"amount", "currency"}, false);
    Node* delegation = ObjectOf({{"agent_url", UriString()},
                                 {"authority", Enum({"full", "execute_only", "propose_only"})},
                                 {"budget_limit", money},
                                 {"markets", StringArray()},
                                 {"expires_at", DateTime()}},
                                {"agent_url", "authority"}, false);
    Node* portfolio = ObjectOf({{"member_plan_ids", StringArray()},
                                {"total_budget_cap", money},
                                {"shared_policy_ids", StringArray()},
                                {"shared_exclusions", ArrayOf(PolicyEntry())}},
                               {"member_plan_ids"}, false);
    Node* audience = ObjectOf({{"include", MinItems(ArrayOf(AudienceSelector()), 1)},
                               {"exclude", MinItems(ArrayOf(AudienceSelector()), 1)}},
                              {}, false);
    audience->min_properties = 1;
    Node* restricted = ArrayOf(Enum({"racial_ethnic_origin", "political_opinions", "religious_beliefs",
                                     "trade_union_membership", "health_data", "sex_life_sexual_orientation",
                                     "genetic_data", "biometric_data", "age", "familial_status"}));
    restricted->min_items = 1;
    Node* min_audience = Int();
    min_audience->minimum = 1;
    Node* objectives = Str();
    objectives->max_length = 2000;
    Node* approved_sellers = ArrayOf(UriString());
    approved_sellers->types = kArray | kNull;
    Node* plan = ObjectOf({{"plan_id", Str()},
                           {"brand", BrandRef()},
                           {"objectives", objectives},
                           {"budget", budget},
                           {"channels", channels},
                           {"flight", flight},
                           {"countries", MinItems(StringArray(), 1)},
                           {"regions", MinItems(StringArray(), 1)},
                           {"policy_ids", StringArray()},
                           {"policy_categories", MinItems(StringArray(), 1)},
                           {"audience", audience},
                           {"restricted_attributes", restricted},
                           {"restricted_attributes_custom", MinItems(StringArray(), 1)},
                           {"min_audience_size", min_audience},
                           {"human_review_required", Bool()},
                           {"custom_policies", ArrayOf(PolicyEntry())},
                           {"approved_sellers", approved_sellers},
                           {"delegations", ArrayOf(delegation)},
                           {"portfolio", portfolio},
                           {"ext", ObjectOf({})}},
                          {"plan_id", "brand", "objectives", "budget", "flight"}, false);
    // if policy_categories contains a regulated category / policy_ids contains
    // eu_ai_act_annex_iii then human_review_required must be present and true.
    Node* then_review = ObjectOf({{"human_review_required", Const(true)}}, {"human_review_required"});
    then_review->types = 0;
    Node* if_categories = RequiredOnly({"policy_categories"});
    if_categories->custom = [](const json::Value& v, Path& path) -> std::optional<Failure> {
      const json::Array* cats = v.find_array("policy_categories");
      if (cats)
        for (const json::Value& c : *cats)
          if (c.is_string() && (c.as_string() == "fair_housing" || c.as_string() == "fair_lending" ||
                                c.as_string() == "fair_employment" || c.as_string() == "pharmaceutical_advertising"))
            return std::nullopt;
      return MakeFailure(path, "contains", "no regulated category");
    };
    Node* if_annex = RequiredOnly({"policy_ids"});
    if_annex->custom = [](const json::Value& v, Path& path) -> std::optional<Failure> {
      const json::Array* ids = v.find_array("policy_ids");
      if (ids)
        for (const json::Value& c : *ids)
          if (c.is_string() && c.as_string() == "eu_ai_act_annex_iii") return std::nullopt;
      return MakeFailure(path, "contains", "no eu_ai_act_annex_iii");
    };
    plan->if_then = {{if_categories, then_review}, {if_annex, then_review}};

    Node* plans = ArrayOf(plan);
    plans->min_items = 1;  // project choice (02 §1)
    Node* req = ObjectOf({{"idempotency_key", IdempotencyKey()},
                          {"plans", plans},
                          {"context", ContextObject()},
                          {"ext", ObjectOf({})}},
                         {"idempotency_key", "plans"});
    AddVersionEnvelope(req);
    return req;
  }();
  return n;
}

NodeRef SyncAccountsRequest() {
  static NodeRef n = [] {
    Node* accounts = ArrayOf(ObjectOf({{"brand", BrandRef()},
                                       {"operator", WithPattern(Str(), IsDomain, "the operator domain pattern")},
                                       {"billing", Enum({"operator", "agent", "advertiser"})},
                                       {"billing_entity", ObjectOf({})},
                                       {"payment_terms", Str()},
                                       {"sandbox", Bool()}},
                                      {"brand", "operator", "billing"}));
    accounts->min_items = 1;
    accounts->max_items = 1000;
    return ObjectOf({{"adcp_major_version", Int()},
                     {"idempotency_key", IdempotencyKey()},
                     {"accounts", accounts},
                     {"delete_missing", Bool()},
                     {"dry_run", Bool()},
                     {"context", ContextObject()},
                     {"ext", ObjectOf({})}},
                    {"idempotency_key", "accounts"});
  }();
  return n;
}

NodeRef ListAccountsRequest() {
  static NodeRef n = [] {
    Node* max_results = Int();
    max_results->minimum = 1;
    max_results->maximum = 100;
    return ObjectOf({{"adcp_major_version", Int()},
                     {"status", Enum({"active", "pending_approval", "rejected", "payment_required", "suspended", "closed"})},
                     {"pagination", ObjectOf({{"max_results", max_results}, {"cursor", Str()}})},
                     {"sandbox", Bool()},
                     {"context", ContextObject()},
                     {"ext", ObjectOf({})}});
  }();
  return n;
}

NodeRef GetPlanAuditLogsRequest() {
  static NodeRef n = [] {
    // The members of ext.adcp_governance: paging {limit: min..1000, after?:
    // cursor} of entries (06 §6.1) and of governed_actions (project choice,
    // README; limit 0 asks for the plan figures and summary alone), and the
    // burn flag (project choice).
    auto page = [](double minimum) {
      Node* limit = Int();
      limit->minimum = minimum;
      limit->maximum = 1000;
      return ObjectOf({{"limit", limit}, {"after", Str()}}, {"limit"}, false);
    };
    struct Member {
      const char* name;
      Node* node;
      const char* message;
    };
    const std::vector<Member> members = {{"entries", page(1), "must be {limit: 1..1000, after?: cursor}"},
                                         {"governed_actions", page(0), "must be {limit: 0..1000, after?: cursor}"},
                                         {"burn", Bool(), "must be a boolean"}};
    Node* vendor = ObjectOf({});
    vendor->custom = [members](const json::Value& v, Path& path) -> std::optional<Failure> {
      for (const Member& m : members) {
        const json::Value* given = v.find(m.name);
        if (!given || Matches(m.node, *given)) continue;
        path.PushKey(m.name);
        Failure f = MakeFailure(path, "type", m.message);
        path.Pop();
        return f;
      }
      return std::nullopt;
    };
    Node* ext = ObjectOf({});
    ext->custom = [vendor](const json::Value& v, Path& path) -> std::optional<Failure> {
      const json::Value* ns = v.find("adcp_governance");
      if (!ns || !ns->is_object()) return std::nullopt;
      path.PushKey("adcp_governance");
      std::optional<Failure> f = ValidateAt(vendor, *ns, path);
      path.Pop();
      return f;
    };
    Node* req = ObjectOf({{"plan_ids", MinItems(StringArray(), 1)},
                          {"portfolio_plan_ids", MinItems(StringArray(), 1)},
                          {"governance_contexts", MinItems(StringArray(), 1)},
                          {"purchase_types", MinItems(ArrayOf(PurchaseTypeEnum()), 1)},
                          {"include_entries", Bool()},
                          {"idempotency_key", IdempotencyKey()},
                          {"context", ContextObject()},
                          {"ext", ext}});
    req->any_of = {RequiredOnly({"plan_ids"}), RequiredOnly({"portfolio_plan_ids"}),
                   RequiredOnly({"governance_contexts"})};
    AddVersionEnvelope(req);
    return req;
  }();
  return n;
}

namespace {

Node* Money(bool positive_amount = false) {
  Node* amount = Num();
  if (positive_amount) amount->exclusive_minimum = 0;
  else amount->minimum = 0;
  return ObjectOf({{"amount", amount}, {"currency", CurrencyString()}}, {"amount", "currency"}, false);
}

NodeRef Sha256Hex() {
  static NodeRef n = WithPattern(Str(), IsSha256Hex, "^sha256:[a-f0-9]{64}$");
  return n;
}

bool IsB64Digest(std::string_view s) {
  if (s.size() != 50 || s.substr(0, 7) != "sha256:") return false;
  for (char c : s.substr(7))
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return false;
  return true;
}

bool IsHttpsAgentUrl(std::string_view s) {
  // ^https://[^/?#@]+(?:/[^?#]*)?(?:\?[^#]*)?$
  if (s.substr(0, 8) != "https://") return false;
  size_t i = 8, n = s.size();
  size_t host_start = i;
  while (i < n && s[i] != '/' && s[i] != '?' && s[i] != '#' && s[i] != '@') ++i;
  if (i == host_start) return false;
  if (i < n && s[i] == '@') return false;
  if (i < n && s[i] == '/') while (i < n && s[i] != '?' && s[i] != '#') ++i;
  if (i < n && s[i] == '?') while (i < n && s[i] != '#') ++i;
  return i == n;
}

bool IsHttpsOrigin(std::string_view s) {
  if (s.substr(0, 8) != "https://" || s.size() == 8) return false;
  for (char c : s.substr(8))
    if (c == '/' || c == '?' || c == '#' || c == '@') return false;
  return true;
}

NodeRef HttpsUri() {
  static NodeRef n = [] {
    Node* u = Str();
    u->format = Format::kUri;
    return WithPattern(u, IsHttpsAgentUrl, "^https://[^/?#@]+(?:/[^?#]*)?(?:\\?[^#]*)?$");
  }();
  return n;
}

NodeRef AttestationIssuer() {
  static NodeRef n = [] {
    Node* brand = ObjectOf({{"type", Const("brand")}, {"brand", BrandRef()}, {"ext", ObjectOf({})}}, {"type", "brand"}, false);
    Node* agent = ObjectOf({{"type", Const("agent")}, {"agent_url", HttpsUri()}, {"ext", ObjectOf({})}}, {"type", "agent_url"}, false);
    Node* origin_url = Str();
    origin_url->format = Format::kUri;
    WithPattern(origin_url, IsHttpsOrigin, "^https://[^/?#@]+$");
    Node* origin = ObjectOf({{"type", Const("origin")}, {"origin", origin_url}, {"ext", ObjectOf({})}}, {"type", "origin"}, false);
    Node* one = New();
    one->one_of = {brand, agent, origin};
    return one;
  }();
  return n;
}

NodeRef AttestationSubject() {
  static NodeRef n = [] {
    Node* brand = ObjectOf({{"type", Const("brand")}, {"brand", BrandRef()}, {"ext", ObjectOf({})}}, {"type", "brand"}, false);
    Node* agent = ObjectOf({{"type", Const("agent")}, {"agent_url", HttpsUri()}, {"ext", ObjectOf({})}}, {"type", "agent_url"}, false);
    Node* id = Str();
    id->min_length = 1;
    id->max_length = 1024;
    Node* resource = ObjectOf({{"type", Const("resource")},
                               {"resource_type", UriString()},
                               {"namespace", UriString()},
                               {"id", id},
                               {"content_digest", Sha256Hex()},
                               {"ext", ObjectOf({})}},
                              {"type", "resource_type", "namespace", "id"}, false);
    Node* one = New();
    one->one_of = {brand, agent, resource};
    return one;
  }();
  return n;
}

NodeRef AttestationReference() {
  static NodeRef n = [] {
    Node* cred_uri = ObjectOf({{"type", Const("credential_uri")}, {"credential_uri", HttpsUri()}, {"ext", ObjectOf({})}},
                              {"type", "credential_uri"}, false);
    Node* cred_id_str = Str();
    cred_id_str->min_length = 1;
    cred_id_str->max_length = 1024;
    Node* resolver = WithPattern(Str(), [](std::string_view s) {
      if (s.empty() || s.size() > 255) return false;
      for (char c : s)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == ':' || c == '-'))
          return false;
      return true;
    }, "^[A-Za-z0-9._:-]+$");
    Node* cred_id = ObjectOf({{"type", Const("issuer_credential_id")}, {"credential_id", cred_id_str},
                              {"resolver_id", resolver}, {"ext", ObjectOf({})}},
                             {"type", "credential_id", "resolver_id"}, false);
    Node* locator = New();
    locator->one_of = {cred_uri, cred_id};
    Node* value = New();
    value->types = kObject | kString;
    value->min_length = 1;
    Node* embedded = ObjectOf({{"format", UriString()}, {"value", value}, {"ext", ObjectOf({})}}, {"format", "value"}, false);
    Node* version = Str();
    version->min_length = 1;
    version->max_length = 255;
    Node* validity = ObjectOf({{"not_before", DateTime()}, {"expires_at", DateTime()}}, {}, false);
    validity->min_properties = 1;
    Node* ref = ObjectOf({{"issuer", AttestationIssuer()},
                          {"claim_type", UriString()},
                          {"subject", AttestationSubject()},
                          {"locator", locator},
                          {"embedded_credential", embedded},
                          {"content_digest", Sha256Hex()},
                          {"credential_version", version},
                          {"validity_hint", validity},
                          {"verify_agent", ObjectOf({{"agent_url", HttpsUri()}}, {"agent_url"}, false)},
                          {"ext", ObjectOf({})}},
                         {"issuer", "claim_type", "subject"}, false);
    ref->any_of = {RequiredOnly({"locator"}), RequiredOnly({"embedded_credential"})};
    ref->if_then = {{RequiredOnly({"locator", "embedded_credential"}), RequiredOnly({"content_digest"})}};
    // check-governance-request: the subject must be a signal resource.
    Node* signal_subject = New();
    signal_subject->properties = {
        {"subject", ObjectOf({{"type", Const("resource")},
                              {"resource_type", Const("https://adcontextprotocol.org/claims/subjects/signal")}},
                             {"type", "resource_type"})}};
    Node* item = New();
    item->custom = [ref, signal_subject](const json::Value& v, Path& path) -> std::optional<Failure> {
      if (auto f = ValidateAt(ref, v, path)) return f;
      return ValidateAt(signal_subject, v, path);
    };
    return item;
  }();
  return n;
}

NodeRef BusinessEntity() {
  static NodeRef n = [] {
    auto max = [](size_t m) {
      Node* s = Str();
      s->max_length = m;
      return s;
    };
    auto pattern = [](bool (*p)(std::string_view), const char* text) { return WithPattern(Str(), p, text); };
    Node* address = ObjectOf({{"street", max(200)}, {"city", max(100)}, {"postal_code", max(20)}, {"region", max(100)},
                              {"country", pattern(IsCountryCode, "^[A-Z]{2}$")}},
                             {"street", "city", "postal_code", "country"}, false);
    Node* email = max(254);
    email->format = Format::kEmail;
    Node* contact = ObjectOf({{"role", Enum({"billing", "legal", "creative", "general"})}, {"name", max(200)},
                              {"email", email}, {"phone", max(30)}},
                             {"role"}, false);
    Node* contacts = ArrayOf(contact);
    contacts->max_items = 10;
    Node* bank = ObjectOf({{"account_holder", max(200)},
                           {"iban", pattern([](std::string_view s) {
                              if (s.size() < 8 || s.size() > 34) return false;
                              for (size_t i = 0; i < s.size(); ++i) {
                                char c = s[i];
                                bool up = c >= 'A' && c <= 'Z', dig = c >= '0' && c <= '9';
                                if (i < 2 ? !up : i < 4 ? !dig : !(up || dig)) return false;
                              }
                              return true;
                            }, "^[A-Z]{2}[0-9]{2}[A-Z0-9]{4,30}$")},
                           {"bic", pattern([](std::string_view s) {
                              if (s.size() != 8 && s.size() != 11) return false;
                              for (size_t i = 0; i < s.size(); ++i) {
                                char c = s[i];
                                bool up = c >= 'A' && c <= 'Z', dig = c >= '0' && c <= '9';
                                if (i < 6 ? !up : !(up || dig)) return false;
                              }
                              return true;
                            }, "^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")},
                           {"routing_number", max(30)},
                           {"account_number", max(30)}},
                          {"account_holder"}, false);
    return ObjectOf({{"legal_name", max(200)},
                     {"vat_id", pattern([](std::string_view s) {
                        if (s.size() < 4 || s.size() > 15) return false;
                        for (size_t i = 0; i < s.size(); ++i) {
                          char c = s[i];
                          bool up = c >= 'A' && c <= 'Z', dig = c >= '0' && c <= '9';
                          if (i < 2 ? !up : !(up || dig)) return false;
                        }
                        return true;
                      }, "^[A-Z]{2}[A-Z0-9]{2,13}$")},
                     {"tax_id", max(30)},
                     {"registration_number", max(50)},
                     {"address", address},
                     {"contacts", contacts},
                     {"bank", bank},
                     {"ext", ObjectOf({})}},
                    {"legal_name"}, false);
  }();
  return n;
}

// canonical-proposal.json: every member the core reads is checked; deep
// sub-objects it never reads (pricing option internals, targeting overlays,
// forecasts, insertion orders, brand keys) are checked as objects only.
NodeRef CanonicalProposal() {
  static NodeRef n = [] {
    auto bounded = [](size_t lo, size_t hi) {
      Node* s = Str();
      s->min_length = lo;
      s->max_length = hi;
      return s;
    };
    NodeRef b64digest = WithPattern(Str(), IsB64Digest, "^sha256:[A-Za-z0-9_-]{43}$");
    Node* pricing = ObjectOf({{"currency", CurrencyString()}});
    Node* purchase = ObjectOf({{"product_id", bounded(1, SIZE_MAX)},
                               {"pricing_option_id", bounded(1, SIZE_MAX)},
                               {"pricing", pricing},
                               {"budget", Number(0)},
                               {"daily_budget_cap", Number(0)},
                               {"min_spend_target", Number(0)},
                               {"impressions", Number(0)},
                               {"start_time", DateTime()},
                               {"end_time", DateTime()},
                               {"targeting_overlay", ObjectOf({{"geo_countries", StringArray()}, {"geo_regions", StringArray()}})}},
                              {"product_id", "pricing_option_id", "pricing", "start_time", "end_time"});
    Node* purchases = ArrayOf(purchase);
    purchases->min_items = 1;
    Node* cancellation = ObjectOf({{"effective_at", DateTime()}, {"fee", Money()}, {"reason", bounded(1, 500)}},
                                  {"effective_at"}, false);
    Node* start = New();
    start->types = kString | kObject;
    Node* terms = ObjectOf({{"brand", ObjectOf({})},
                            {"purchases", purchases},
                            {"start_time", start},
                            {"end_time", DateTime()},
                            {"total_budget", Money()},
                            {"daily_budget_cap", Number(0)},
                            {"invoice_recipient", BusinessEntity()},
                            {"cancellation_terms", cancellation}},
                           {"brand", "purchases", "start_time", "end_time"});
    Node* guidance = ObjectOf({{"min", Number(0)}, {"recommended", Number(0)}, {"max", Number(0)}, {"currency", CurrencyString()}},
                              {"currency"}, false);
    guidance->any_of = {RequiredOnly({"recommended"}), RequiredOnly({"min"}), RequiredOnly({"max"})};
    Node* revision = Int();
    revision->minimum = 1;
    Node* opportunity = bounded(1, 255);
    Node* p = ObjectOf({{"proposal_id", bounded(1, 255)},
                        {"proposal_kind", Enum({"new_media_buy", "media_buy_update", "media_buy_cancellation"})},
                        {"parent_proposal_id", bounded(1, 255)},
                        {"media_buy_id", bounded(1, SIZE_MAX)},
                        {"opportunity_id", opportunity},
                        {"base_media_buy_revision", revision},
                        {"proposal_status", Enum({"draft", "committed", "accepted"})},
                        {"accepted_at", DateTime()},
                        {"expires_at", DateTime()},
                        {"name", bounded(1, 500)},
                        {"brief_alignment", bounded(0, 2000)},
                        {"commercial_terms", terms},
                        {"terms_digest", b64digest},
                        {"insertion_order", ObjectOf({})},
                        {"total_budget_guidance", guidance},
                        {"forecast", ObjectOf({})}},
                       {"proposal_id", "proposal_kind", "proposal_status", "name", "commercial_terms", "terms_digest"},
                       false);
    auto kind_is = [](std::vector<std::string> kinds) {
      Node* n = New();
      n->required = {"proposal_kind"};
      n->custom = [kinds](const json::Value& v, Path& path) -> std::optional<Failure> {
        const std::string* k = v.find_string("proposal_kind");
        if (k && ContainsKind(kinds, *k)) return std::nullopt;
        return MakeFailure(path, "enum", "other kind");
      };
      return n;
    };
    auto status_is = [](std::string st) {
      Node* n = New();
      n->required = {"proposal_status"};
      n->custom = [st](const json::Value& v, Path& path) -> std::optional<Failure> {
        const std::string* s = v.find_string("proposal_status");
        if (s && *s == st) return std::nullopt;
        return MakeFailure(path, "const", "other status");
      };
      return n;
    };
    Node* cancellation_then = New();
    cancellation_then->properties = {{"commercial_terms", RequiredOnly({"cancellation_terms"})}};
    p->if_then = {{kind_is({"media_buy_update", "media_buy_cancellation"}),
                   RequiredOnly({"parent_proposal_id", "media_buy_id", "base_media_buy_revision"})},
                  {status_is("accepted"), RequiredOnly({"media_buy_id", "accepted_at"})},
                  {status_is("committed"), RequiredOnly({"expires_at"})},
                  {kind_is({"media_buy_cancellation"}), cancellation_then}};
    return p;
  }();
  return n;
}

}  // namespace

NodeRef PlannedDelivery() {
  static NodeRef n = [] {
    Node* media_buy_id = Str();
    media_buy_id->min_length = 1;
    Node* proposal_id = Str();
    proposal_id->min_length = 1;
    proposal_id->max_length = 255;
    Node* pd = ObjectOf({{"media_buy_id", media_buy_id},
                         {"proposal_id", proposal_id},
                         {"proposal_terms_digest", WithPattern(Str(), IsB64Digest, "^sha256:[A-Za-z0-9_-]{43}$")},
                         {"geo", ObjectOf({{"countries", StringArray()}, {"regions", StringArray()}})},
                         {"channels", ArrayOf(ChannelEnum())},
                         {"start_time", DateTime()},
                         {"end_time", DateTime()},
                         {"frequency_cap", ObjectOf({})},
                         {"audience_summary", Str()},
                         {"audience_targeting", MinItems(ArrayOf(AudienceSelector()), 1)},
                         {"total_budget", Number(0)},
                         {"daily_budget_cap", Number(0)},
                         {"budget_cap_timezone", Str()},
                         {"currency", CurrencyString()},
                         {"budget_allocation", ObjectOf({})},
                         {"pacing", Enum({"even", "asap", "front_loaded"})},
                         {"bidding", ObjectOf({})},
                         {"enforced_policies", StringArray()},
                         {"ext", ObjectOf({})}});
    pd->if_then = {{RequiredOnly({"proposal_id"}), RequiredOnly({"proposal_terms_digest"})},
                   {RequiredOnly({"proposal_terms_digest"}), RequiredOnly({"proposal_id"})}};
    return pd;
  }();
  return n;
}

NodeRef AttestationEvaluation() {
  static NodeRef n = [] {
    Node* reason_codes = ArrayOf(WithPattern(Str(), [](std::string_view s) {
      if (s.empty()) return false;
      for (char c : s)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == ':' || c == '-'))
          return false;
      return true;
    }, "^[A-Za-z0-9._:-]+$"));
    reason_codes->min_items = 1;
    reason_codes->unique_items = true;
    Node* action_id = Str();
    action_id->min_length = 1;
    action_id->max_length = 1024;
    Node* binding = ObjectOf({{"action_type", UriString()}, {"action_id", action_id}, {"action_digest", Sha256Hex()}},
                             {"action_type"}, false);
    binding->any_of = {RequiredOnly({"action_id"}), RequiredOnly({"action_digest"})};
    Node* e = ObjectOf({{"reference_digest", Sha256Hex()},
                        {"credential_digest", Sha256Hex()},
                        {"proof_format", UriString()},
                        {"outcome", Enum({"verified", "not_found", "expired", "revoked", "invalid", "unsupported",
                                          "unverifiable", "untrusted_issuer", "untrusted_resolver", "subject_mismatch",
                                          "digest_mismatch", "resolution_failed"})},
                        {"evaluated_at", DateTime()},
                        {"evaluated_by", HttpsUri()},
                        {"verifier_agent_url", HttpsUri()},
                        {"reason_codes", reason_codes},
                        {"confidence", Number(0, 1)},
                        {"revocation_checked_at", DateTime()},
                        {"valid_until", DateTime()},
                        {"action_binding", binding},
                        {"ext", ObjectOf({})}},
                       {"reference_digest", "outcome", "evaluated_at", "evaluated_by"}, false);
    Node* strong = New();
    strong->required = {"outcome"};
    strong->custom = [](const json::Value& v, Path& path) -> std::optional<Failure> {
      const std::string* o = v.find_string("outcome");
      for (const char* s : {"verified", "expired", "revoked", "invalid", "subject_mismatch", "digest_mismatch"})
        if (o && *o == s) return std::nullopt;
      return MakeFailure(path, "enum", "weak outcome");
    };
    e->if_then = {{strong, RequiredOnly({"credential_digest", "proof_format"})},
                  {RequiredOnly({"credential_digest"}), RequiredOnly({"proof_format"})}};
    return e;
  }();
  return n;
}

namespace {

// An `if` that matches when member `key` equals one of `values`.
Node* MemberIs(const std::string& key, std::vector<std::string> values) {
  Node* n = New();
  n->required = {key};
  n->custom = [key, values](const json::Value& v, Path& path) -> std::optional<Failure> {
    const std::string* s = v.find_string(key);
    if (s && ContainsKind(values, *s)) return std::nullopt;
    return MakeFailure(path, "const", "other value");
  };
  return n;
}

}  // namespace

static NodeRef BuildOutcomeRequest(bool require_idempotency_key, bool legacy = false) {
  Node* package = ObjectOf({{"budget", Number(0)}});
  Node* reference = Str();
  reference->max_length = 255;
  Node* seller_response = ObjectOf({{"seller_reference", reference},
                                    {"committed_budget", Number(0)},
                                    {"packages", ArrayOf(package)},
                                    {"planned_delivery", PlannedDelivery()},
                                    {"creative_deadline", DateTime()}});
  Node* observation_id = Str();
  observation_id->min_length = 1;
  observation_id->max_length = 255;
  Node* period = ObjectOf({{"start", DateTime()}, {"end", DateTime()}}, {"start", "end"}, false);
  Node* nonneg_int = Int();
  nonneg_int->minimum = 0;
  Node* delivery = ObjectOf({{"observation_id", observation_id},
                             {"source", Enum({"seller_statement_copy", "buyer_measurement"})},
                             {"observed_at", DateTime()},
                             {"seller_statement_id", Str()},
                             {"seller_statement_digest", Sha256Hex()},
                             {"reporting_period", period},
                             {"cumulative_spend", Number(0)},
                             {"currency", CurrencyString()},
                             {"period_closed", Bool()},
                             {"impressions", nonneg_int}},
                            {"observation_id", "source", "observed_at", "reporting_period", "cumulative_spend", "currency"},
                            false);
  delivery->if_then = {{MemberIs("source", {"seller_statement_copy"}),
                        RequiredOnly({"seller_statement_id", "seller_statement_digest"})}};
  Node* token = Str();
  token->min_length = 1;
  token->max_length = 4096;
  WithPattern(token, IsPrintableAscii, "^[\\x20-\\x7E]+$");
  std::vector<std::string> required = {"plan_id", "outcome"};
  if (require_idempotency_key) required.insert(required.begin(), "idempotency_key");
  Node* req = ObjectOf({{"plan_id", Str()},
                        {"check_id", Str()},
                        {"idempotency_key", IdempotencyKey()},
                        {"purchase_type", PurchaseTypeEnum()},
                        {"outcome", Enum({"completed", "failed", "delivery"})},
                        {"seller_response", seller_response},
                        // A 3.0 delivery snapshot is checked by its own rules (10 §4.4).
                        {"delivery", legacy ? ObjectOf({}) : delivery},
                        {"error", ObjectOf({{"code", Str()}, {"message", Str()}}, {}, false)},
                        {"governance_context", token},
                        {"context", ContextObject()},
                        {"ext", ObjectOf({})}},
                       required);
  if (legacy)  // 10 §4.1: no token required to settle (R8); snapshots may name no check
    req->if_then = {{MemberIs("outcome", {"completed"}), RequiredOnly({"check_id", "seller_response"})},
                    {MemberIs("outcome", {"failed"}), RequiredOnly({"check_id", "error"})},
                    {MemberIs("outcome", {"delivery"}), RequiredOnly({"delivery"})}};
  else
    req->if_then = {{MemberIs("outcome", {"completed"}), RequiredOnly({"check_id", "governance_context", "seller_response"})},
                    {MemberIs("outcome", {"failed"}), RequiredOnly({"check_id", "governance_context", "error"})},
                    {MemberIs("outcome", {"delivery"}), RequiredOnly({"check_id", "governance_context", "delivery"})}};
  AddVersionEnvelope(req);
  return req;
}

NodeRef ReportPlanOutcomeRequestLegacy() {
  static NodeRef n = BuildOutcomeRequest(false, true);
  return n;
}

NodeRef ReportPlanOutcomeRequest(bool require_idempotency_key) {
  static NodeRef strict = BuildOutcomeRequest(true);
  static NodeRef lenient = BuildOutcomeRequest(false);
  return require_idempotency_key ? strict : lenient;
}

NodeRef ReportPlanAdjustmentRequest() {
  static NodeRef n = [] {
    auto bounded = [](size_t lo, size_t hi) {
      Node* s = Str();
      s->min_length = lo;
      s->max_length = hi;
      return s;
    };
    Node* evidence = ObjectOf({{"evidence_id", bounded(1, 255)},
                               {"evidence_type", Enum({"decommitment_agreement", "refund_settlement", "credit_note",
                                                       "makegood_agreement"})},
                               {"digest", Sha256Hex()},
                               {"issued_at", DateTime()}},
                              {"evidence_id", "evidence_type", "digest", "issued_at"}, false);
    Node* plan_id = Str();
    plan_id->min_length = 1;
    Node* outcome_id = Str();
    outcome_id->min_length = 1;
    Node* req = ObjectOf({{"action", Enum({"report", "review"})},
                          {"plan_id", plan_id},
                          {"outcome_id", outcome_id},
                          {"adjustment_id", Str()},
                          {"decision", Enum({"accept", "dispute"})},
                          {"seller_reference", bounded(1, 255)},
                          {"seller_adjustment_id", bounded(1, 255)},
                          {"adjustment_type", Enum({"decommitment", "refund", "credit", "makegood"})},
                          {"amount", Money(true)},
                          {"reason", bounded(1, 1000)},
                          {"effective_at", DateTime()},
                          {"evidence", evidence},
                          {"idempotency_key", IdempotencyKey()},
                          {"context", ContextObject()},
                          {"ext", ObjectOf({})}},
                         {"action", "plan_id", "idempotency_key"});
    Node* dispute = New();
    dispute->custom = [](const json::Value& v, Path& path) -> std::optional<Failure> {
      const std::string* a = v.find_string("action");
      const std::string* d = v.find_string("decision");
      if (a && *a == "review" && d && *d == "dispute") return std::nullopt;
      return MakeFailure(path, "const", "not a dispute");
    };
    std::vector<std::pair<NodeRef, NodeRef>> rules = {
        {MemberIs("action", {"report"}), RequiredOnly({"outcome_id", "seller_reference", "seller_adjustment_id",
                                                        "adjustment_type", "amount", "reason", "effective_at", "evidence"})},
        {MemberIs("action", {"review"}), RequiredOnly({"adjustment_id", "decision"})},
        {dispute, RequiredOnly({"reason"})}};
    const char* pairs[][2] = {{"decommitment", "decommitment_agreement"},
                              {"refund", "refund_settlement"},
                              {"credit", "credit_note"},
                              {"makegood", "makegood_agreement"}};
    for (const auto& p : pairs) {
      Node* then = New();
      then->properties = {{"evidence", [&] {
                             Node* e = New();
                             e->properties = {{"evidence_type", Const(p[1])}};
                             return e;
                           }()}};
      rules.emplace_back(MemberIs("adjustment_type", {p[0]}), then);
    }
    req->if_then = rules;
    AddVersionEnvelope(req);
    return req;
  }();
  return n;
}

NodeRef CheckGovernanceRequest() {
  static NodeRef n = [] {
    Node* token = Str();
    token->min_length = 1;
    token->max_length = 4096;
    WithPattern(token, IsPrintableAscii, "^[\\x20-\\x7E]+$");
    Node* handle = Str();
    handle->min_length = 1;
    handle->max_length = 255;
    WithPattern(handle, [](std::string_view s) {
      for (char c : s)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
              c == ':' || c == '-'))
          return false;
      return true;
    }, "^[A-Za-z0-9_.:-]+$");
    Node* phase = Enum({"purchase", "modification", "delivery"});
    Node* statement_id = Str();
    statement_id->min_length = 1;
    statement_id->max_length = 255;
    Node* sequence = Int();
    sequence->minimum = 1;
    Node* period = ObjectOf({{"start", DateTime()}, {"end", DateTime()}}, {"start", "end"}, false);
    Node* nonneg_int = Int();
    nonneg_int->minimum = 0;
    Node* pct_map = ObjectOf({});
    pct_map->additional_schema = Number(0, 100);
    Node* index_key = WithPattern(Str(), [](std::string_view s) {
      size_t colon = s.find(':');
      if (colon == std::string_view::npos || colon == 0 || colon + 1 >= s.size()) return false;
      for (size_t i = 0; i < colon; ++i)
        if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_')) return false;
      return true;
    }, "^[a-z_]+:.+$");
    Node* indices = ObjectOf({});
    indices->property_names = index_key;
    indices->additional_schema = Number(0);
    Node* audience = ObjectOf({{"baseline", Enum({"census", "platform", "custom"})},
                               {"baseline_description", Str()},
                               {"indices", indices},
                               {"cumulative_indices", indices}},
                              {"baseline", "indices"}, false);
    Node* metrics = ObjectOf({{"statement_id", statement_id},
                              {"statement_digest", Sha256Hex()},
                              {"sequence", sequence},
                              {"issued_at", DateTime()},
                              {"reporting_period", period},
                              {"spend", Number(0)},
                              {"cumulative_spend", Number(0)},
                              {"currency", CurrencyString()},
                              {"impressions", nonneg_int},
                              {"cumulative_impressions", nonneg_int},
                              {"geo_distribution", pct_map},
                              {"channel_distribution", pct_map},
                              {"pacing", Enum({"ahead", "on_track", "behind"})},
                              {"audience_distribution", audience}},
                             {"reporting_period"}, false);
    Node* summary = Str();
    summary->max_length = 1000;
    Node* attestations = ArrayOf(AttestationReference());
    attestations->min_items = 1;
    attestations->max_items = 10;
    Node* req = ObjectOf({{"plan_id", Str()},
                          {"caller", UriString()},
                          {"purchase_type", PurchaseTypeEnum()},
                          {"target_agent", UriString()},
                          {"proposed_commitment", Money()},
                          {"execution_commitment", Money()},
                          {"tool", Str()},
                          {"payload", ObjectOf({})},
                          {"proposal", CanonicalProposal()},
                          {"governance_context", token},
                          {"consultation_context", handle},
                          {"phase", phase},
                          {"governance_phase", phase},
                          {"planned_delivery", PlannedDelivery()},
                          {"delivery_metrics", metrics},
                          {"modification_summary", summary},
                          {"runtime_attestations", attestations},
                          {"invoice_recipient", BusinessEntity()},
                          {"context", ContextObject()},
                          {"ext", ObjectOf({})}},
                         {"caller"});
    AddVersionEnvelope(req);
    return req;
  }();
  return n;
}

void InitAll() {
  // Magic statics: concurrent first use from several threads (Node worker
  // threads share the add-on) blocks until the one initialization is done.
  static bool done = [] {
    SyncPlansRequest();
    GetPlanAuditLogsRequest();
    CheckGovernanceRequest();
    AttestationEvaluation();
    ReportPlanOutcomeRequest(true);
    ReportPlanOutcomeRequest(false);
    ReportPlanOutcomeRequestLegacy();
    ReportPlanAdjustmentRequest();
    SyncAccountsRequest();
    ListAccountsRequest();
    return true;
  }();
  (void)done;
}

}  // namespace adcp::schema

#include "schema/requests.h"

namespace adcp::schema {
namespace {

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

bool IsPurchaseType(std::string_view s) {
  return s == "media_buy" || s == "rights_license" || s == "signal_activation" || s == "creative_services";
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

NodeRef GetPlanAuditLogsRequest() {
  static NodeRef n = [] {
    Node* entries_page = ObjectOf({{"limit", [] {
                                      Node* i = Int();
                                      i->minimum = 1;
                                      i->maximum = 1000;
                                      return i;
                                    }()},
                                   {"after", Str()}},
                                  {"limit"}, false);
    Node* vendor = ObjectOf({});
    vendor->custom = [entries_page](const json::Value& v, Path& path) -> std::optional<Failure> {
      const json::Value* entries = v.find("entries");
      if (!entries || Matches(entries_page, *entries)) return std::nullopt;
      path.PushKey("entries");
      Failure f = MakeFailure(path, "type", "must be {limit: 1..1000, after?: cursor}");
      path.Pop();
      return f;
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

}  // namespace adcp::schema

// Request shapes of every task (the behaviour of the AdCP draft-07 request
// schemas, declared in code; see schema.h for why).
#pragma once

#include "schema/schema.h"

namespace adcp::schema {

// Builds every shape once (thread-safe); called before first use.
void InitAll();

NodeRef SyncPlansRequest();
NodeRef GetPlanAuditLogsRequest();
// check_governance: the schema checked after the shape rules (03 §2).
NodeRef CheckGovernanceRequest();
NodeRef AttestationEvaluation();
NodeRef ReportPlanOutcomeRequest(bool require_idempotency_key);
// 3.0/3.1 dialect deviations (10 §4.1): no key or token required; snapshot deliveries open.
NodeRef ReportPlanOutcomeRequestLegacy();
NodeRef ReportPlanAdjustmentRequest();
NodeRef PlannedDelivery();
// Accounts protocol (AdCP 3.0.6 account/*): what a governance agent keeps of them.
NodeRef SyncAccountsRequest();
NodeRef ListAccountsRequest();

// Shared pieces, reused by several requests.
NodeRef ChannelEnum();
NodeRef PurchaseTypeEnum();
NodeRef PolicyEntry();
NodeRef BrandRef();
NodeRef DateTime();
NodeRef UriString();
NodeRef CurrencyString();
NodeRef IdempotencyKey();
NodeRef ContextObject();

// The 20 channel ids of enums/channels.json.
bool IsChannel(std::string_view s);

}  // namespace adcp::schema

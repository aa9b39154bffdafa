// Package profile loads rate-limit profiles in every form they are published
// in and normalizes them into model.RateLimits.
//
// Forms (detected from the document's shape, reported in Profile.Form):
//
//   - provider profile: a mapping with `specification: API Commons Rate
//     Limits` (0.1), `limits`, `secondaryLimits`, `policies`, `tiers`,
//     `headers`, `responseCodes` (a map such as `throttled: 429`, a list of
//     codes, or a list of {code, name}). A limit's period comes from
//     `timeFrame`, `timeframe` or `window`, or from a metric such as
//     `requests_per_second`. A policy that carries `limit` or `limits`
//     contributes limits.
//   - harvest: the same mapping whose limits carry `limit_text` (the quoted
//     source), `window`, `plan` (a tier) and `endpoint` (a binding hint).
//   - official JSON Schema form: a bare list of rateLimit entries (name,
//     type, limit, metric, timeframe, description, tier, ...), or a list of
//     RateLimits envelopes with the entries under `data`. Entries that share
//     name, metric and description but differ in tier become one limit with
//     several tiers.
//   - an apis.yml index: its RateLimits property (in `common` or an api's
//     `properties`) is loaded from `data`, or from `url` resolved against
//     the index's directory through Options.ReadFile. A remote url or a
//     missing file is a positioned error.
//
// A `limit` is a number (-1 means unlimited; 0 and other negatives are
// errors), null (unknown, with a warning) or prose read by ParseProse, such
// as "5,000/month (Free, hard stop); 200,000/month (Growth)". Text the
// parser cannot read fully makes the limit unknown (learned at run time)
// with a warning that quotes it; it never yields a guessed number.
//
// Normalization: metrics become singular and map onto the official enum
// ("requests" → request, "concurrent" → concurrent-request); a limit's kind
// is LimitRate for periods under a day (and for limits without a usable
// number, which the runtime learns), LimitQuota for a day or longer,
// LimitConcurrency for concurrency caps, and LimitDocumented, with a Reason,
// for what no client request can count (monthly active users or
// organizations, multipliers, burst capacities). Enforcement comes only from
// the text's words: "hard stop" is hard, "free" or a price is soft (billed),
// and a tier whose text says nothing (Scalekit's "200,000/month (Growth)")
// stays EnforcementUnknown rather than borrowing another tier's. Policies set
// runtime switches by their words (token reuse, backoff, jitter,
// Retry-After, tiers); the others are kept in Policies.Other. Response codes
// default to 429.
//
// Hardening: files over MaxBytes, invalid UTF-8, NUL bytes, several YAML
// documents, alias bombs (more than 100000 nodes once aliases are expanded),
// nesting deeper than 64, duplicate or merge keys, wrong types and numbers
// beyond 2^53 are errors at file:line:col. Unknown fields are kept in
// Profile.Unknown and reported as warnings. No yaml type leaves this package.
package profile

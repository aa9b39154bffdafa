// Package bind binds the limits of a rate-limit profile to an API's
// operations, explainably: every model.Use carries a Reason that names the
// rule or config line that made it.
//
// Bind reads nothing: generator.Model loads the profile and the config
// (package profile) and hands them over. Order of work in Bind: apply the
// config's numbers; run the automatic rules; apply the config's bind and
// unbind entries; drop bindings of documented limits and warn about limits
// that bind to nothing. The limits' Go names (Limit/Tier IDs) are claimed
// afterwards, once, by naming.AssignLimitIDs.
//
// # Automatic rules
//
// They read a limit's name, notes, description, endpoint and applies texts:
//
//   - "/oauth/token" (any literal path equal to the path of the document's
//     OAuth2 token URL), "token endpoint" or "token issuance" bind the limit
//     to the OAuth token request (RateLimits.TokenUses), which is not a
//     spec operation. Without an OAuth2 scheme there is no token request.
//   - a literal path such as "/api/v1/execute_tool" binds the operations
//     with exactly that path.
//   - resource nouns before "endpoint(s)", "API(s)" or "resource(s)", such
//     as "organization/connection/directory/membership endpoints", bind the
//     operations with that noun (or its plural) as a word of a literal path
//     segment or of a tag. Generic words (API, REST, management, public,
//     auth, token, ...) are ignored.
//
// "Management API" alone does not bind every operation: which operations
// a provider counts as its management API is not in the profile's words,
// so that choice belongs in the config, where it is visible and can be
// reviewed (Scalekit's default config makes it).
//
// # Config file (limitgen.yaml)
//
//	version: 1                  # optional; 1 is the only version
//	limits:
//	  <limit>:                  # the limit's name (case-insensitive), key or ID
//	    rate: 50/s              # replaces all tiers; any text ParseProse reads,
//	                            # e.g. "100/min (Free); 1000/min (Pro)"
//	    tiers:                  # sets or adds single tiers
//	      Free: 5000/month (hard stop)
//	    burst: 10               # applies to every tier
//	    enforcement: hard       # hard | soft | unknown, every tier
//	    kind: rate              # rate | quota | concurrency | documented
//	    reason: "..."           # why a documented limit is not enforced
//	    auto: false             # ignore the automatic rules for this limit
//	    bind:                   # each entry selects operations; all fields given must match
//	      - operationId: "ToolService_*"  # glob (path.Match syntax)
//	        path: "/api/v1/**"            # glob: * within a segment, ** across segments
//	        method: [POST, PUT]           # one method or a list
//	        tag: "Tool Calling"           # glob against each tag
//	        cost: 1                       # units one call consumes (default 1)
//	      - token: true                   # the OAuth token request (alone)
//	    unbind:                 # same selectors; removes bindings made by rules or bind
//	      - tag: "Connected Accounts"
//	allow: [undeclared-tag]     # warning kinds limitgen -strict accepts
//
//	pagination:                 # names what iterator detection cannot find
//	  <operationId glob>:
//	    param: from             # the query parameter that selects the page (required)
//	    next: resume_at         # token style: the response's next-page token
//	    more: has_more          # or after style: more pages follow; the last item's id goes into param
//	    total: total_count      # or page numbers: total items (or total_pages)
//	    items: things           # the response's array of items
//
// A pagination entry that matches no operation is a positioned warning;
// names that do not fit the operation stop generation with the entry's
// position.
//
// The full reference is profiles/README.md; profiles/limitgen.schema.json
// is its JSON Schema.
//
// Setting rate or tiers makes a limit known (no longer learned at run
// time) and recomputes its kind from the window. Errors in the config (an
// unknown field, a limit the profile does not have, an unreadable rate, a
// selector that selects nothing) are positioned errors; a binding that
// matches no operation is a positioned warning. Every binding made by the
// config has the Reason "config file:line:col: <selector>".
package bind

package bench

import "github.com/limitgen/limitgen/golden/scalekit"

// managementLimit is the profile's "Management API Requests" limit.
//
// TODO(bench): use scalekit.LimitManagementAPIRequests and drop
// limitUndeclared once the regenerated golden declares the profile's
// limits; until then WithLimit is refused and "configured" runs the
// generated client with its defaults.
var managementLimit = scalekit.LimitID("ManagementAPIRequests")

// limitUndeclared: fall back to defaults when WithLimit is refused.
const limitUndeclared = true

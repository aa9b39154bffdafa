package fakeruntime

// The description of an API that the generated file fills in. Nothing here
// changes after NewServer; a Server's mutable state lives in server.go.

// kind is the shape of a schema.
type kind uint8

const (
	kindAny kind = iota
	kindBool
	kindInt
	kindFloat
	kindString
	kindArray
	kindObject
	kindMap
	kindEnum
	kindUnion
	kindRef
)

// schema is the part of a JSON schema the fake checks and builds examples
// from.
type schema struct {
	kind     kind
	format   string
	nullable bool
	ref      string  // kindRef: key in apiSpec.schemas
	elem     *schema // kindArray, kindMap, and extra properties of kindObject
	fields   []field // kindObject; shared properties of kindUnion
	enum     []any   // kindEnum: string, int64 or float64 values
	variants []variant
	// discriminator is the property that selects a kindUnion's variant.
	discriminator string
	constVal      any
}

type field struct {
	name      string
	s         *schema
	required  bool
	readOnly  bool
	writeOnly bool
}

type variant struct {
	s      *schema
	values []string // discriminator values that select it
}

// paramSpec is one parameter of an operation.
type paramSpec struct {
	name     string
	in       string // path, query, header, cookie
	required bool
	s        *schema
}

// errSpec is a documented error response.
type errSpec struct {
	status string // "400", "4XX", "default"
	s      *schema
}

// use says an operation costs cost units of a limit.
type use struct {
	limit string
	cost  int
}

// opSpec is one operation.
type opSpec struct {
	id     Operation
	method string
	path   string
	params []paramSpec
	// body is the JSON request body's schema; nil when the operation takes
	// none or it is not JSON (then only its presence is checked).
	body         *schema
	hasBody      bool
	bodyRequired bool
	// status is the success status; resp its JSON schema (nil: no body or
	// not JSON, see respType).
	status   int
	resp     *schema
	respType string // content type of a non-JSON success body
	// example is the document's example of the success body, used when it
	// validates against resp.
	example string
	errors  []errSpec
	secured bool
	uses    []use
}

// limitKind is how a limit is enforced.
type limitKind uint8

const (
	limitRate limitKind = iota
	limitQuota
	limitConcurrency
	limitDocumented
)

// limitSpec is one limit of the profile.
type limitSpec struct {
	key     string
	name    string
	kind    limitKind
	scope   string
	unknown bool
	tiers   []tierSpec
}

// tierSpec is a limit's allowance on one tier ("" for every tier).
type tierSpec struct {
	tier      string
	amount    float64
	unit      string  // second ... year, or "" with seconds
	seconds   float64 // fixed window length when unit is ""
	burst     int
	hard      bool // refused when used up (soft limits are billed instead)
	unlimited bool
	unknown   bool
}

// authSpec is a non-OAuth2 credential the secured operations require.
type authSpec struct {
	in   string // header, query, cookie
	name string
}

// apiSpec is a whole API.
type apiSpec struct {
	name    string
	ops     []*opSpec
	schemas map[string]*schema
	// errSchema is the API's usual error body, for answers that no
	// operation documents (unknown paths, the token endpoint).
	errSchema      *schema
	limits         []*limitSpec
	tiers          []string
	throttleStatus int
	quotaStatus    int
	// headers maps header roles (limit, remaining, reset, retryAfter) to
	// the names the profile gives.
	headers   map[string]string
	tokenPath string // "" when the API has no client-credentials flow
	tokenUses []use
	auth      []authSpec
}

func (a *apiSpec) limit(key string) *limitSpec {
	for _, l := range a.limits {
		if l.key == key {
			return l
		}
	}
	return nil
}

// nullable is s that also accepts JSON null.
func nullable(s *schema) *schema {
	c := *s
	c.nullable = true
	return &c
}

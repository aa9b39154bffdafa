package emit

import (
	"strconv"
	"strings"

	"github.com/limitgen/limitgen/generator/internal/model"
)

// quickStart is the package doc's quick start: a whole program that lists
// the first paginated collection (or calls the first operation that needs
// no arguments), then how methods, iterators and errors work.
func (e *emitter) quickStart() []string {
	pkg := e.pkg
	base := strconv.Quote(exampleBaseURL(e.api))
	envURL := strings.ToUpper(pkg) + "_URL"
	lines := []string{
		"# Quick start",
		"",
		"Create one client per base URL with NewClient and share it: its limiters,",
		"quota counters and token cache are per client.",
		"",
		"\tpackage main",
		"",
		"\timport (",
		"\t\t\"context\"",
		"\t\t\"fmt\"",
		"\t\t\"log\"",
		"\t\t\"os\"",
		"",
		"\t\t\"example.com/yourmodule/" + pkg + "\"",
		"\t)",
		"",
		"\tfunc main() {",
		"\t\tctx := context.Background()",
		"\t\tbaseURL := os.Getenv(\"" + envURL + "\") // e.g. " + base,
	}
	if e.api.OAuth2 != nil {
		lines = append(lines,
			"\t\tc, err := "+pkg+".NewClient(baseURL,",
			"\t\t\t"+pkg+".WithClientCredentials(os.Getenv(\"CLIENT_ID\"), os.Getenv(\"CLIENT_SECRET\")))")
	} else {
		lines = append(lines, "\t\tc, err := "+pkg+".NewClient(baseURL)")
	}
	lines = append(lines, "\t\tif err != nil {", "\t\t\tlog.Fatal(err)", "\t\t}")
	op, iter := e.showcase()
	switch {
	case op != nil && iter:
		lines = append(lines,
			"\t\tfor item, err := range c."+e.callPath(op, e.iter[op])+"(ctx, nil) {",
			"\t\t\tif err != nil {",
			"\t\t\t\tlog.Fatal(err)",
			"\t\t\t}",
			"\t\t\tfmt.Printf(\"%+v\\n\", item)",
			"\t\t}",
		)
	case op != nil:
		args := "ctx"
		if hasParamsStruct(op) {
			args += ", nil"
		}
		if e.success(op).kind == 0 {
			lines = append(lines, "\t\tif err := c."+e.callPath(op, e.method[op])+"("+args+"); err != nil {", "\t\t\tlog.Fatal(err)", "\t\t}")
		} else {
			lines = append(lines,
				"\t\tres, err := c."+e.callPath(op, e.method[op])+"("+args+")",
				"\t\tif err != nil {", "\t\t\tlog.Fatal(err)", "\t\t}",
				"\t\tfmt.Printf(\"%+v\\n\", res)")
		}
	default:
		lines = append(lines, "\t\t_ = c")
	}
	lines = append(lines, "\t}", "")
	shape := "Operations are grouped into services that Client embeds (c.<Service>.<Method>; see\nServices)."
	if e.flat {
		shape = "Every operation is a method of Client named after its operationId."
	}
	lines = append(lines, strings.Split(shape, "\n")...)
	lines = append(lines, "",
		"A method takes a context, the path parameters in path order, the required",
		"query and header parameters, a parameters struct for the optional ones (Ptr",
		"makes their pointers) and the request body, and returns the decoded 2xx",
		"response. A paginated list also has an iterator (ListAll and the like) that",
		"fetches pages as a range loop asks for them, each page an ordinary call.",
		"",
		"A call's error is one of three disjoint kinds, so that a switch over them",
		"routes it right in any order: *RateLimitedError (errors.Is ErrRateLimited)",
		"when a rate limit holds the call back, *QuotaExhaustedError (errors.Is",
		"ErrQuotaExhausted) when an allowance is used up, and *APIError for any other",
		"non-2xx response. ResponseOf returns the server's response of any of them.",
	)
	return lines
}

// showcase picks the operation of the quick start: the first paginated
// list that takes no arguments (a service's own ListAll first), else the
// first GET that takes none.
func (e *emitter) showcase() (*model.Operation, bool) {
	var get, list *model.Operation
	for _, s := range e.services {
		for _, op := range s.ops {
			if len(e.argOrder(op)) > 0 || op.Body != nil {
				continue
			}
			if it := e.iter[op]; it == "ListAll" {
				return op, true
			} else if it != "" && list == nil {
				list = op
			}
			if get == nil && op.HTTPMethod == "GET" {
				get = op
			}
		}
	}
	if list != nil {
		return list, true
	}
	return get, false
}

// callPath is how code calls a method of op: Service.Method or Method.
func (e *emitter) callPath(op *model.Operation, name string) string {
	return e.qualified(op, name)
}

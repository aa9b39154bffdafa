package model

// ParamIn is where a parameter travels.
type ParamIn string

const (
	InPath   ParamIn = "path"
	InQuery  ParamIn = "query"
	InHeader ParamIn = "header"
	InCookie ParamIn = "cookie"
)

// BodyEncoding is how a request or response body is serialized.
type BodyEncoding int

const (
	BodyJSON      BodyEncoding = iota
	BodyForm                   // application/x-www-form-urlencoded
	BodyMultipart              // multipart/form-data
	BodyText                   // text/*
	BodyBinary                 // anything else: raw bytes
)

// Operation is one client operation: one generated method.
type Operation struct {
	// ID is the operationId as written, or synthesized from method and path
	// when the document has none.
	ID string
	// MethodName is the Go method name on Client.
	MethodName string
	HTTPMethod string // upper case
	Path       string // template as written, e.g. /api/v1/organizations/{id}
	Summary    string
	Doc        string
	Tags       []string
	Deprecated bool
	Pos        Pos

	Params []*Param // in document order: path, then query, header, cookie
	// ParamsType is the Go name of the struct that carries the optional and
	// non-path parameters; empty when the operation has none.
	ParamsType string

	Body *Body // nil when the operation takes no body

	// Success is the response returned on 2xx; nil Type means no body.
	// When the document declares no 2xx response, it is the default
	// response (Status "default"), which then also appears in Errors.
	Success *Response
	// Errors are the documented non-2xx responses that have a body schema,
	// sorted by status ("default" last).
	Errors []*Response

	// Secured reports whether the operation requires authentication.
	Secured bool
	// Idempotent reports whether resending is safe: GET, HEAD, PUT, DELETE,
	// OPTIONS, TRACE, or an operation that carries an idempotency key.
	Idempotent bool

	// Consumes lists the limits this operation draws on, filled by the
	// binder.
	Consumes []*Use
	// Paging, set by the binder from the binding config, names the
	// pagination fields that detection would not find; nil detects.
	Paging *Paging
}

// Param is one parameter.
type Param struct {
	Name     string // as on the wire
	GoName   string // Go identifier (argument name for path params, field name otherwise)
	In       ParamIn
	Required bool
	Type     *Type
	Style    string // form, simple, label, matrix, spaceDelimited, pipeDelimited, deepObject
	Explode  bool
	// AllowReserved: a query value's RFC 3986 reserved characters are sent
	// without percent-encoding (OpenAPI allowReserved).
	AllowReserved bool
	Doc           string
	Deprecated    bool
}

// Body is a request body.
type Body struct {
	ContentType string
	Encoding    BodyEncoding
	Type        *Type
	Required    bool
	Doc         string
}

// Response is a response with a given status.
type Response struct {
	// Status is the status code ("200", "4XX", "default").
	Status      string
	ContentType string
	Encoding    BodyEncoding
	Type        *Type // nil: no body
	Doc         string
	// Example is the document's example of the body as JSON (the media
	// type's example, else its first named example, else the schema's), or
	// nil; the generated fake server answers it when it fits the schema.
	Example []byte
}

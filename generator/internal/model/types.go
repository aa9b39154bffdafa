package model

// Kind is the shape of a Type.
type Kind int

const (
	KindAny Kind = iota // any JSON value: json.RawMessage
	KindBool
	KindInt   // Bits: 32 or 64
	KindFloat // Bits: 32 or 64
	KindString
	KindTime  // string, format date-time: time.Time
	KindDate  // string, format date: kept as a string type documented as a date
	KindBytes // string, format byte (base64): []byte
	KindStruct
	KindArray // Elem
	KindMap   // Elem: map[string]Elem
	KindEnum  // Base is the underlying kind (string, int or float); Enum lists values
	KindUnion // oneOf/anyOf: Variants
	KindNamed // a reference to a named type: Ref
)

// Type is a schema. A named type (Name != "") is declared once in the
// generated package; every other use of it is a Type of KindNamed whose Ref
// points at it. Anonymous types are emitted inline.
type Type struct {
	// Name is the Go identifier of a declared type; empty for anonymous types.
	Name string
	// SchemaName is the name in the document (components key, or a
	// synthesized path like "CreateUserRequest.address"), for documentation.
	SchemaName string
	Doc        string
	Deprecated bool
	Pos        Pos

	Kind     Kind
	Bits     int    // KindInt, KindFloat
	Format   string // as written: int64, uuid, email, date-time, ...
	Nullable bool   // JSON null is a valid value

	Elem *Type // KindArray, KindMap
	Ref  *Type // KindNamed: the declared type

	// Fields are a KindStruct's properties, in document order, or a
	// KindUnion's shared properties: those declared beside its oneOf/anyOf
	// (directly or through allOf), which every variant's value also has.
	Fields []*Field
	// Additional is the type of additionalProperties when a struct also
	// declares properties; nil when extra properties are not allowed or
	// are ignored.
	Additional *Type

	Base Kind         // KindEnum: KindString, KindInt or KindFloat
	Enum []*EnumValue // KindEnum

	Variants      []*Variant // KindUnion
	Discriminator string     // KindUnion: property name, "" when none
	AnyOf         bool       // KindUnion: anyOf rather than oneOf

	// Const is the single allowed value for a "const" schema, if any.
	Const any
}

// Field is a struct property.
type Field struct {
	Name     string // Go identifier
	JSONName string
	Type     *Type
	Required bool
	// Nullable: the property may be JSON null.
	Nullable   bool
	ReadOnly   bool
	WriteOnly  bool
	Doc        string
	Deprecated bool
}

// EnumValue is one allowed value of an enum.
type EnumValue struct {
	Name  string // Go constant identifier
	Value any    // string, int64 or float64
	Doc   string
}

// Variant is one alternative of a union.
type Variant struct {
	Name string // Go identifier of the variant's accessor/field
	Type *Type
	// DiscriminatorValues are the discriminator values that select this
	// variant.
	DiscriminatorValues []string
}

// Deref follows KindNamed references to the declared type.
func (t *Type) Deref() *Type {
	for t != nil && t.Kind == KindNamed {
		t = t.Ref
	}
	return t
}

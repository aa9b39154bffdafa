package emit

// Every reference to a package outside the generated one goes through this
// file, so the set of imports the generated code can have is visible in one
// place: the standard library only (the runtime files add golang.org/x).

import "github.com/dave/jennifer/jen"

const (
	pkgContext = "context"
	pkgJSON    = "encoding/json"
	pkgErrors  = "errors"
	pkgFmt     = "fmt"
	pkgTime    = "time"
)

// importNames keeps jennifer from aliasing standard packages.
var importNames = map[string]string{
	pkgContext: "context",
	pkgJSON:    "json",
	pkgErrors:  "errors",
	pkgFmt:     "fmt",
	pkgTime:    "time",
	pkgIter:    "iter",
}

func qContext() *jen.Statement     { return jen.Qual(pkgContext, "Context") }
func qRawMessage() *jen.Statement  { return jen.Qual(pkgJSON, "RawMessage") }
func qTime() *jen.Statement        { return jen.Qual(pkgTime, "Time") }
func qJSONMarshal() *jen.Statement { return jen.Qual(pkgJSON, "Marshal") }
func qJSONUnmarshal() *jen.Statement {
	return jen.Qual(pkgJSON, "Unmarshal")
}
func qErrorf() *jen.Statement { return jen.Qual(pkgFmt, "Errorf") }

const pkgIter = "iter"

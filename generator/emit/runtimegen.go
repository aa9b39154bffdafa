package emit

// This file is the seam between the emitted client and the runtime in package
// templates: it emits the values the runtime reads (the API profile with its
// limits and tiers, and each operation's limit uses) and the documentation of
// the limits. It is a stub until the limit runtime lands.

import (
	"github.com/dave/jennifer/jen"

	"github.com/limitgen/limitgen/generator/model"
)

// profileVarName is the package-level variable holding the *apiProfile.
const profileVarName = "apiProfileValue"

// genProfile emits the API profile variable and the LimitID and Tier
// constants.
func genProfile(f *jen.File, api *model.API) {
	f.Comment("apiProfileValue describes this API to the runtime.")
	f.Var().Id(profileVarName).Op("=").Op("&").Id("apiProfile").Values(jen.Dict{
		jen.Id("name"): jen.Lit(api.Title),
	})
}

// operationUses returns the value of the descriptor's uses field for op, or
// nil when op consumes no limit.
func operationUses(op *model.Operation) jen.Code { return nil }

// limitsDoc returns the package-doc section that lists every limit, one line
// per element; empty when the API has no profile.
func limitsDoc(api *model.API) []string { return nil }

// methodLimitsDoc returns the godoc lines that list the limits op consumes.
func methodLimitsDoc(op *model.Operation) []string { return nil }

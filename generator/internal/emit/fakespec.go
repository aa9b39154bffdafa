package emit

// The fake's description of the API: operations, limits, auth.

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/limitgen/limitgen/generator/internal/model"
)

// genSpec emits newAPI: the operations and limits of the API.
func (fe *fakeEmitter) genSpec(f *jen.File) {
	api := fe.api
	d := dict{
		"name":           jen.Lit(api.Title),
		"throttleStatus": jen.Lit(429),
		"quotaStatus":    jen.Lit(429),
	}
	if es := fe.errSchema(); es != nil {
		d["errSchema"] = es
	}
	if api.OAuth2 != nil {
		d["tokenPath"] = jen.Lit(tokenPath(api.OAuth2.TokenURL))
	}
	if auth := fakeAuth(api); auth != nil {
		d["auth"] = auth
	}
	if rl := api.RateLimits; rl != nil {
		fe.limitFields(d, rl)
	}
	f.Comment("newAPI describes the API to the engine; each server gets its own copy.")
	f.Func().Id("newAPI").Params().Op("*").Id("apiSpec").BlockFunc(func(g *jen.Group) {
		g.Id("a").Op(":=").Op("&").Id("apiSpec").Values(d.jen())
		g.Id("a").Dot("schemas").Op("=").Map(jen.String()).Op("*").Id("schema").Values()
		for i := 0; i < fe.chunkCount(); i++ {
			g.Id(fmt.Sprintf("addSchemas%d", i+1)).Call(jen.Id("a").Dot("schemas"))
		}
		opName := fe.name
		for i := range chunk("operations", api.Operations, opName, fakeOpLines) {
			g.Id(fmt.Sprintf("addOperations%d", i+1)).Call(jen.Id("a"))
		}
		g.Return(jen.Id("a"))
	})
}

func (fe *fakeEmitter) chunkCount() int {
	return len(chunk("schemas", fe.api.Types, func(t *model.Type) string { return t.Name }, fakeTypeLines))
}

func (fe *fakeEmitter) limitFields(d dict, rl *model.RateLimits) {
	if len(rl.ThrottleStatus) > 0 {
		d["throttleStatus"] = jen.Lit(rl.ThrottleStatus[0])
		d["quotaStatus"] = jen.Lit(rl.ThrottleStatus[0])
	}
	if len(rl.QuotaStatus) > 0 {
		d["quotaStatus"] = jen.Lit(rl.QuotaStatus[0])
	}
	if len(rl.Headers) > 0 {
		roles := make([]string, 0, len(rl.Headers))
		for r := range rl.Headers {
			roles = append(roles, r)
		}
		sort.Strings(roles)
		hd := jen.Dict{}
		for _, r := range roles {
			hd[jen.Lit(r)] = jen.Lit(rl.Headers[r])
		}
		d["headers"] = jen.Map(jen.String()).String().Values(hd)
	}
	if len(rl.Tiers) > 0 {
		d["tiers"] = jen.Index().String().ValuesFunc(func(g *jen.Group) {
			for _, t := range rl.Tiers {
				g.Lit(t.Key)
			}
		})
	}
	d["limits"] = jen.Index().Op("*").Id("limitSpec").ValuesFunc(func(g *jen.Group) {
		for _, l := range rl.Limits {
			g.Add(fakeLimitLit(l))
		}
	})
	if u := fakeUses(rl.TokenUses); u != nil {
		d["tokenUses"] = u
	}
}

func fakeLimitLit(l *model.Limit) jen.Code {
	kinds := map[model.LimitKind]string{
		model.LimitRate: "limitRate", model.LimitQuota: "limitQuota",
		model.LimitConcurrency: "limitConcurrency", model.LimitDocumented: "limitDocumented",
	}
	d := dict{
		"key":   jen.Lit(l.Key),
		"name":  jen.Lit(l.Name),
		"kind":  jen.Id(kinds[l.Kind]),
		"scope": jen.Lit(l.Scope),
	}
	if l.Unknown {
		d["unknown"] = jen.True()
	}
	if len(l.Tiers) > 0 {
		d["tiers"] = jen.Index().Id("tierSpec").ValuesFunc(func(g *jen.Group) {
			for _, tl := range l.Tiers {
				td := dict{"amount": jen.Lit(tl.Amount)}
				if tl.Tier != "" {
					td["tier"] = jen.Lit(tl.Tier)
				}
				if tl.Window.Unit != "" {
					td["unit"] = jen.Lit(tl.Window.Unit)
				} else if tl.Window.Seconds > 0 {
					td["seconds"] = jen.Lit(tl.Window.Seconds)
				}
				if tl.Burst > 0 {
					td["burst"] = jen.Lit(tl.Burst)
				}
				// A limit not said to be billed beyond is taken as refused
				// beyond: the safer reading for code under test.
				if tl.Enforcement != model.EnforcementSoft {
					td["hard"] = jen.True()
				}
				if tl.Unlimited {
					td["unlimited"] = jen.True()
				}
				if tl.Unknown {
					td["unknown"] = jen.True()
				}
				g.Values(td.jen())
			}
		})
	}
	return jen.Values(d.jen())
}

func fakeUses(uses []*model.Use) jen.Code {
	if len(uses) == 0 {
		return nil
	}
	return jen.Index().Id("use").ValuesFunc(func(g *jen.Group) {
		for _, u := range uses {
			g.Values(dict{"limit": jen.Lit(u.Limit.Key), "cost": jen.Lit(max(1, u.Cost))}.jen())
		}
	})
}

// tokenPath is the path of the token URL; a URL whose host is a
// placeholder ("https://$ENV_URL/oauth/token") keeps only its path, as the
// client resolves it against its base URL.
func tokenPath(raw string) string {
	if i := strings.Index(raw, "://"); i >= 0 {
		raw = raw[i+3:]
		if j := strings.IndexByte(raw, '/'); j >= 0 {
			raw = raw[j:]
		} else {
			raw = "/"
		}
	}
	if q := strings.IndexAny(raw, "?#"); q >= 0 {
		raw = raw[:q]
	}
	if !strings.HasPrefix(raw, "/") {
		raw = "/" + raw
	}
	return raw
}

func fakeAuth(api *model.API) jen.Code {
	if len(api.Auth) == 0 {
		return nil
	}
	return jen.Index().Id("authSpec").ValuesFunc(func(g *jen.Group) {
		for _, a := range api.Auth {
			in, name := "header", "Authorization"
			switch a.Kind {
			case model.AuthAPIKeyHeader:
				name = a.ParamName
			case model.AuthAPIKeyQuery:
				in, name = "query", a.ParamName
			case model.AuthAPIKeyCookie:
				in, name = "cookie", a.ParamName
			}
			g.Values(dict{"in": jen.Lit(in), "name": jen.Lit(name)}.jen())
		}
	})
}

// errSchema is the API's usual error body: the first operation's default
// error, else its first 4xx error.
func (fe *fakeEmitter) errSchema() jen.Code {
	for _, want := range []func(string) bool{
		func(s string) bool { return s == "default" },
		func(s string) bool { return strings.HasPrefix(s, "4") },
	} {
		for _, op := range fe.api.Operations {
			for _, e := range op.Errors {
				if want(e.Status) && e.Type != nil && e.Encoding == model.BodyJSON {
					return fe.schemaLit(e.Type)
				}
			}
		}
	}
	return nil
}

func (fe *fakeEmitter) opLit(op *model.Operation) jen.Code {
	d := dict{
		"id":     jen.Id("Op" + fe.name(op)),
		"method": jen.Lit(op.HTTPMethod),
		"path":   jen.Lit(op.Path),
		"status": jen.Lit(successStatus(op.Success)),
	}
	if len(op.Params) > 0 {
		d["params"] = jen.Index().Id("paramSpec").ValuesFunc(func(g *jen.Group) {
			for _, p := range op.Params {
				pd := dict{"name": jen.Lit(p.Name), "in": jen.Lit(string(p.In)), "s": fe.schemaLit(p.Type)}
				if p.Required || p.In == model.InPath {
					pd["required"] = jen.True()
				}
				g.Values(pd.jen())
			}
		})
	}
	if b := op.Body; b != nil {
		d["hasBody"] = jen.True()
		if b.Required {
			d["bodyRequired"] = jen.True()
		}
		if b.Encoding == model.BodyJSON && b.Type != nil {
			d["body"] = fe.schemaLit(b.Type)
		}
	}
	if s := op.Success; s != nil && s.Type != nil {
		if s.Encoding == model.BodyJSON {
			d["resp"] = fe.schemaLit(s.Type)
			if len(s.Example) > 0 {
				d["example"] = jen.Lit(string(s.Example))
			}
		} else {
			d["respType"] = jen.Lit(orDefault(s.ContentType, "application/octet-stream"))
		}
	}
	var errs []jen.Code
	for _, e := range op.Errors {
		if e.Type != nil && e.Encoding == model.BodyJSON {
			errs = append(errs, jen.Values(dict{"status": jen.Lit(e.Status), "s": fe.schemaLit(e.Type)}.jen()))
		}
	}
	if len(errs) > 0 {
		d["errors"] = jen.Index().Id("errSpec").Values(errs...)
	}
	if op.Secured {
		d["secured"] = jen.True()
	}
	if u := fakeUses(op.Consumes); u != nil {
		d["uses"] = u
	}
	return jen.Values(d.jen())
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// successStatus is the status the fake answers on success: the documented
// 2xx code, else 200.
func successStatus(r *model.Response) int {
	if r != nil {
		if n, err := strconv.Atoi(r.Status); err == nil && n >= 200 && n < 300 {
			return n
		}
	}
	return 200
}

// fakeOpLines and fakeHandlerLines estimate the lines an operation takes
// in the operations and handlers files.
func fakeOpLines(op *model.Operation) int {
	n := 12 + 5*len(op.Params) + 4*len(op.Errors) + 4*len(op.Consumes)
	if op.Body != nil {
		n += 5
	}
	return n
}

func fakeHandlerLines(op *model.Operation) int { return 14 + 2*len(op.Params) }

// genOps emits one chunk of the operations.
func (fe *fakeEmitter) genOps(f *jen.File, i int, ops []*model.Operation) {
	name := fmt.Sprintf("addOperations%d", i+1)
	f.Comment(name + " adds operations to a.")
	f.Func().Id(name).Params(jen.Id("a").Op("*").Id("apiSpec")).Block(
		jen.Id("a").Dot("ops").Op("=").AppendFunc(func(g *jen.Group) {
			g.Id("a").Dot("ops")
			for _, op := range ops {
				g.Op("&").Id("opSpec").Add(fe.opLit(op))
			}
		}),
	)
}

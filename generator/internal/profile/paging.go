package profile

import (
	"gopkg.in/yaml.v3"

	"github.com/limitgen/limitgen/generator/internal/model"
)

// PagingConfig is one entry of the binding config's pagination section:
//
//	pagination:
//	  UserService_ListUsers:      # an operationId glob
//	    param: page_token         # the query parameter that selects the page
//	    next: next_page_token     # or more: has_more, or total: total_size
//	    items: users              # the response's array of items
type PagingConfig struct {
	OperationID string
	model.Paging
}

func (d *doc) pagination(n *yaml.Node) ([]*PagingConfig, error) {
	pairs, err := d.mapping(n, "pagination")
	if err != nil {
		return nil, err
	}
	var out []*PagingConfig
	for _, p := range pairs {
		pc := &PagingConfig{OperationID: p.key}
		pc.Pos = d.pos(p.keyN)
		where := "pagination." + p.key
		fields, err := d.mapping(p.value, where)
		if err != nil {
			return nil, err
		}
		for _, f := range fields {
			var dst *string
			switch f.key {
			case "param":
				dst = &pc.Param
			case "next":
				dst = &pc.Next
			case "more":
				dst = &pc.More
			case "total":
				dst = &pc.Total
			case "items":
				dst = &pc.Items
			default:
				return nil, d.errorf(f.keyN, "unknown field %q in %s (want param, next, more, total, items)", f.key, where)
			}
			if *dst, err = d.str(f.value, where+"."+f.key); err != nil {
				return nil, err
			}
		}
		if pc.Param == "" {
			return nil, d.errorf(p.keyN, "%s: param is required", where)
		}
		out = append(out, pc)
	}
	return out, nil
}

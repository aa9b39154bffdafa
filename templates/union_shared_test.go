package templates

import "testing"

func TestUnionSharedHelpers(t *testing.T) {
	merge := []struct {
		shared, variant, want string
		fails                 bool
	}{
		{`{"kind":"a","id":1}`, `{"x":2,"kind":"b","b":3}`, `{"kind":"a","id":1,"b":3,"x":2}`, false},
		{`{"kind":"a"}`, ``, `{"kind":"a"}`, false},
		{`{"kind":"a"}`, `null`, `{"kind":"a"}`, false},
		{`{}`, `{"x":1}`, `{"x":1}`, false},
		{`{}`, `"text"`, `"text"`, false},
		{`{"kind":"a"}`, `"text"`, ``, true},
		// An unset shared value does not hide the variant's.
		{`{"kind":"","id":null,"n":0}`, `{"kind":"b","id":2,"n":5}`, `{"kind":"b","id":2,"n":0}`, false},
		{`{"kind":""}`, `{"x":1}`, `{"kind":"","x":1}`, false},
		{`[1]`, `{"x":1}`, ``, true},
	}
	for _, tt := range merge {
		var variant []byte
		if tt.variant != "" {
			variant = []byte(tt.variant)
		}
		got, err := unionMergeShared([]byte(tt.shared), variant)
		if (err != nil) != tt.fails || string(got) != tt.want {
			t.Errorf("unionMergeShared(%s, %s) = %s, %v; want %s (fails %v)", tt.shared, tt.variant, got, err, tt.want, tt.fails)
		}
	}
	omit := []struct {
		data  string
		names []string
		want  string
	}{
		{`{"kind":"a","x":1}`, []string{"kind"}, `{"x":1}`},
		{`{"x":1}`, []string{"kind"}, `{"x":1}`},
		{`"s"`, []string{"kind"}, `"s"`},
		{`{"kind":"a"}`, nil, `{"kind":"a"}`},
	}
	for _, tt := range omit {
		if got := unionOmit([]byte(tt.data), tt.names); string(got) != tt.want {
			t.Errorf("unionOmit(%s, %v) = %s, want %s", tt.data, tt.names, got, tt.want)
		}
	}
}

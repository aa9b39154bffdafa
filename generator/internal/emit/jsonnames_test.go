package emit

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
)

// TestTagSafe checks tagSafe against encoding/json itself: a name is safe
// exactly when a field tagged with it is written under that name, and it
// holds no space (which go vet's struct-tag check refuses).
func TestTagSafe(t *testing.T) {
	names := []string{"ok", "a-b", "a.b", "@context", "$type", "x:y", "page[size]", "é", "日本", "a1",
		"", "-", "a b", "a,b", `q"`, "b`t", `b\s`, "€", "a'b", "tab\t", " lead"}
	for _, name := range names {
		typ := reflect.StructOf([]reflect.StructField{{
			Name: "F", Type: reflect.TypeOf(0), Tag: reflect.StructTag(fmt.Sprintf(`json:%q`, name)),
		}})
		data, err := json.Marshal(reflect.New(typ).Elem().Interface())
		if err != nil {
			t.Fatal(err)
		}
		key, _ := json.Marshal(name)
		jsonKeeps := string(data) == "{"+string(key)+":0}"
		want := jsonKeeps && !containsSpace(name)
		if got := tagSafe(name); got != want {
			t.Errorf("tagSafe(%q) = %v, want %v (encoding/json writes %s)", name, got, want, data)
		}
	}
}

func containsSpace(s string) bool {
	for _, r := range s {
		if r == ' ' {
			return true
		}
	}
	return false
}

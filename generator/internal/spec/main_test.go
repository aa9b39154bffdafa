package spec

import "flag"

var update = flag.Bool("update", false, "rewrite testdata/want from the loader's output")

package model

// Paging names the fields of a list operation's pagination when the
// emitter's detection cannot find them (binding config "pagination"). Empty
// names are detected as usual.
type Paging struct {
	// Param is the query parameter that selects the page (page_token,
	// cursor, after, page).
	Param string
	// Next is the response property that holds the next page's token;
	// More the boolean property saying more pages follow (the last item's
	// id then goes into Param); Total the property holding the total of
	// items or pages (page numbers).
	Next, More, Total string
	// Items is the response's array property of items.
	Items string
	// Pos is where the config says it.
	Pos Pos
}

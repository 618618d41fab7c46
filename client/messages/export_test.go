package messages

// CatalogParts are the parts of the catalog, for tests.
func CatalogParts() []map[Key]string {
	browser := map[Key]string{}
	for _, e := range browserCatalog {
		browser[e.key] = e.text
	}
	return append(catalogs(), browser)
}

// Translation is the map part of l, BrowserPart its browser part, for
// tests.
func (l Lang) Translation() map[Key]string {
	out := map[Key]string{}
	for _, m := range append([]map[Key]string{l.translation()}, l.areas()...) {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

func (l Lang) BrowserPart() map[Key]string {
	part := map[Key]string{}
	for _, e := range l.browser() {
		part[e.key] = e.text
	}
	return part
}

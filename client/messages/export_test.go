package messages

// CatalogParts are the parts of the catalog, for tests.
func CatalogParts() []map[Key]string {
	browser := map[Key]string{}
	for _, e := range browserCatalog {
		browser[e.key] = e.text
	}
	return append(catalogs(), browser)
}

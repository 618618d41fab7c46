package messages

// Lang is a language the catalog is written in, as a BCP 47 tag ("en").
type Lang string

// English is the catalog's first language and the default of every
// request that asks for none the catalog has.
const English Lang = "en"

// Text returns the text for k in l. A key the language lacks falls back
// to English, so a missing translation shows English, never a raw key; a
// test fails on any missing key, so the fallback is a safety net only.
func (l Lang) Text(k Key) string {
	return Text(k)
}

// Fill is Fill in l.
func (l Lang) Fill(k Key, pairs ...string) string {
	return fill(l.Text(k), pairs)
}

// Dir is the writing direction of l for <html dir>: "rtl" for the
// languages written right to left, else "ltr".
func (l Lang) Dir() string {
	switch l {
	case "ar", "fa", "he", "ur":
		return "rtl"
	}
	return "ltr"
}

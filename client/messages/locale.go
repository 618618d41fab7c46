package messages

// The language picker, and the words dates are written with. Month names
// live in the catalog because golang.org/x/text formats numbers but has no
// CLDR date formatting: each language names its months here.
const (
	// LangName is a language's name in that language ("Français"): the
	// picker lists every language under its own name.
	LangName         Key = "lang.name"
	LangPickerLabel  Key = "ui.lang.label"
	LangPickerSubmit Key = "ui.lang.submit"
	LangPickerIntro  Key = "ui.lang.intro"
	LangChanged      Key = "lang.changed"
	LangInvalid      Key = "lang.invalid"
	AccountLanguage  Key = "ui.account.language"

	// DateFormat writes a day: {day} {month} {year}.
	DateFormat Key = "date.format"
	// DateTimeFormat writes a day and a time of day: {date}, {time}.
	DateTimeFormat Key = "date.datetime"
	// DateAtFormat is DateTimeFormat inside a sentence: {date} at {time}.
	DateAtFormat Key = "date.at"
)

// Months are the keys of the month names, January first; MonthsShort of
// their short forms.
var (
	Months = [12]Key{
		"date.month.1", "date.month.2", "date.month.3", "date.month.4", "date.month.5", "date.month.6",
		"date.month.7", "date.month.8", "date.month.9", "date.month.10", "date.month.11", "date.month.12",
	}
	MonthsShort = [12]Key{
		"date.month_short.1", "date.month_short.2", "date.month_short.3", "date.month_short.4", "date.month_short.5", "date.month_short.6",
		"date.month_short.7", "date.month_short.8", "date.month_short.9", "date.month_short.10", "date.month_short.11", "date.month_short.12",
	}
)

var localeCatalog = map[Key]string{
	LangName:         "English",
	LangPickerLabel:  "Language",
	LangPickerSubmit: "Change language",
	LangPickerIntro:  "The language of these pages and of the emails and text messages we send you.",
	LangChanged:      "The language is changed.",
	LangInvalid:      "That language is not offered here. Choose one from the list.",
	AccountLanguage:  "Language",

	DateFormat:     "{day} {month} {year}",
	DateTimeFormat: "{date}, {time}",
	DateAtFormat:   "{date} at {time}",

	Months[0]: "January", Months[1]: "February", Months[2]: "March", Months[3]: "April",
	Months[4]: "May", Months[5]: "June", Months[6]: "July", Months[7]: "August",
	Months[8]: "September", Months[9]: "October", Months[10]: "November", Months[11]: "December",

	MonthsShort[0]: "Jan", MonthsShort[1]: "Feb", MonthsShort[2]: "Mar", MonthsShort[3]: "Apr",
	MonthsShort[4]: "May", MonthsShort[5]: "Jun", MonthsShort[6]: "Jul", MonthsShort[7]: "Aug",
	MonthsShort[8]: "Sep", MonthsShort[9]: "Oct", MonthsShort[10]: "Nov", MonthsShort[11]: "Dec",
}

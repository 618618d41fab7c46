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

// The month names, and their short forms, in the catalog.
const (
	MonthJanuary        Key = "date.month.1"
	MonthFebruary       Key = "date.month.2"
	MonthMarch          Key = "date.month.3"
	MonthApril          Key = "date.month.4"
	MonthMay            Key = "date.month.5"
	MonthJune           Key = "date.month.6"
	MonthJuly           Key = "date.month.7"
	MonthAugust         Key = "date.month.8"
	MonthSeptember      Key = "date.month.9"
	MonthOctober        Key = "date.month.10"
	MonthNovember       Key = "date.month.11"
	MonthDecember       Key = "date.month.12"
	MonthShortJanuary   Key = "date.month_short.1"
	MonthShortFebruary  Key = "date.month_short.2"
	MonthShortMarch     Key = "date.month_short.3"
	MonthShortApril     Key = "date.month_short.4"
	MonthShortMay       Key = "date.month_short.5"
	MonthShortJune      Key = "date.month_short.6"
	MonthShortJuly      Key = "date.month_short.7"
	MonthShortAugust    Key = "date.month_short.8"
	MonthShortSeptember Key = "date.month_short.9"
	MonthShortOctober   Key = "date.month_short.10"
	MonthShortNovember  Key = "date.month_short.11"
	MonthShortDecember  Key = "date.month_short.12"
)

// Months are the keys of the month names, January first; MonthsShort of
// their short forms.
var (
	Months      = [12]Key{MonthJanuary, MonthFebruary, MonthMarch, MonthApril, MonthMay, MonthJune, MonthJuly, MonthAugust, MonthSeptember, MonthOctober, MonthNovember, MonthDecember}
	MonthsShort = [12]Key{MonthShortJanuary, MonthShortFebruary, MonthShortMarch, MonthShortApril, MonthShortMay, MonthShortJune, MonthShortJuly, MonthShortAugust, MonthShortSeptember, MonthShortOctober, MonthShortNovember, MonthShortDecember}
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

	MonthJanuary: "January", MonthFebruary: "February", MonthMarch: "March", MonthApril: "April",
	MonthMay: "May", MonthJune: "June", MonthJuly: "July", MonthAugust: "August",
	MonthSeptember: "September", MonthOctober: "October", MonthNovember: "November", MonthDecember: "December",

	MonthShortJanuary: "Jan", MonthShortFebruary: "Feb", MonthShortMarch: "Mar", MonthShortApril: "Apr",
	MonthShortMay: "May", MonthShortJune: "Jun", MonthShortJuly: "Jul", MonthShortAugust: "Aug",
	MonthShortSeptember: "Sep", MonthShortOctober: "Oct", MonthShortNovember: "Nov", MonthShortDecember: "Dec",
}

package ui

// StrengthProps configure PasswordStrength, the length meter of a password
// being chosen.
type StrengthProps struct {
	// Props.ID is the meter's wrapper id; when empty it is For + "-strength",
	// which is where the WebAssembly module looks for it. Props.Class and
	// Props.Attributes apply to the wrapper.
	Props
	// For is the id of the password input the meter follows.
	For string
	// Label is the meter's accessible name.
	Label string
	// Min is the shortest accepted length and Target the length the meter
	// fills at, both in characters.
	Min, Target int
}

func strengthID(p StrengthProps) string {
	if p.ID != "" {
		return p.ID
	}
	return p.For + "-strength"
}

// strengthHigh is the meter's high boundary: one below the target, so that
// reaching the target (the optimum) counts as the best region.
func strengthHigh(p StrengthProps) string {
	if p.Target <= p.Min {
		return itoa(p.Target)
	}
	return itoa(p.Target - 1)
}

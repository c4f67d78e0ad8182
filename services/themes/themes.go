// Package themes names the six themes of the committee's work, from its charter (seeds/):
// working groups and action sheets are each filed under one of them.
package themes

import "slices"

// Theme is a theme's stable code, as it appears in commands and events.
type Theme string

// The six themes of the Comité des partenaires du numérique pour l'éducation.
const (
	Governance     Theme = "gouvernance"
	SchoolUses     Theme = "usages"
	Support        Theme = "accompagnement"
	Frameworks     Theme = "referentiels"
	Infrastructure Theme = "infrastructures"
	Industry       Theme = "filiere"
)

// OneOf is the validate tag value listing every theme: `validate:"oneof=…"`. Keep it in
// step with All (a test checks).
const OneOf = "gouvernance usages accompagnement referentiels infrastructures filiere"

// Label is a theme's name in French and English.
type Label struct{ FR, EN string }

var labels = map[Theme]Label{
	Governance:     {"Gouvernance à la bonne échelle", "Governance at the right scale"},
	SchoolUses:     {"Usages du numérique à l'École et autour de l'École", "Digital uses in and around school"},
	Support:        {"Accompagnement des acteurs et de la communauté éducative", "Support for stakeholders and the educational community"},
	Frameworks:     {"Référentiels nationaux", "National frameworks"},
	Infrastructure: {"Infrastructures et équipements", "Infrastructure and equipment"},
	Industry:       {"Structuration de la filière du numérique éducatif", "Structuring the digital education industry"},
}

// All returns the six themes in the charter's order.
func All() []Theme {
	return []Theme{Governance, SchoolUses, Support, Frameworks, Infrastructure, Industry}
}

// Valid reports whether t is one of the six themes.
func Valid(t Theme) bool { return slices.Contains(All(), t) }

// LabelOf returns a theme's French and English names (empty for an unknown theme).
func LabelOf(t Theme) Label { return labels[t] }

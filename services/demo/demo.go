// Package demo seeds the committee of the public documents Comité comes from: the
// *Comité des partenaires du numérique pour l'éducation* and its founding organisations,
// with the joint secretariat held by the Direction du numérique pour l'éducation.
//
// Seeding sends ordinary commands, with command IDs fixed per item, so running it again
// changes nothing.
package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/bus"
	"github.com/comite-partenaires/comite/services/membership"
)

// Sender sends one command (a *bus.Client, or an HTTP client of the gateway).
type Sender = bus.Sender

// Organisation is a member organisation of the demo committee.
type Organisation struct {
	Name    string `json:"name"`
	Acronym string `json:"acronym"`
	Kind    string `json:"kind"`
	Website string `json:"website,omitempty"`
}

// Committee names the demo committee.
var Committee = struct{ Name, Acronym, Description string }{
	Name:    "Comité des partenaires du numérique pour l'éducation",
	Acronym: "CPNE",
	Description: "Impulser une stratégie globale et partagée de déploiement du numérique éducatif, " +
		"proposer un ensemble cohérent d'actions, produire des contributions, émettre des avis et des recommandations.",
}

// Organisations returns the founding organisations of the committee charter (seeds/).
func Organisations() []Organisation {
	return []Organisation{
		{"Association des Maires de France", "AMF", "elected_officials_association", "https://www.amf.asso.fr"},
		{"Association des Maires Ruraux de France", "AMRF", "elected_officials_association", "https://www.amrf.fr"},
		{"Assemblée des Départements de France", "ADF", "elected_officials_association", "https://departements.fr"},
		{"Régions de France (Association des Régions de France)", "ARF", "elected_officials_association", "https://regions-france.org"},
		{"France urbaine (Association des Maires de Grandes Villes de France)", "AMGVF", "elected_officials_association", "https://franceurbaine.org"},
		{"Réseau Français des Villes Éducatrices", "RFVE", "elected_officials_association", "https://www.rfve.fr"},
		{"Ville & Banlieue (Association des Maires Ville et Banlieue de France)", "AMVBF", "elected_officials_association", "https://www.ville-et-banlieue.org"},
		{"Villes Internet", "VI", "other", "https://www.villes-internet.net"},
		{"Caisse des Dépôts", "CDC", "public_operator", "https://www.caissedesdepots.fr"},
		{"Ministère de l'Éducation nationale — Direction du numérique pour l'éducation", "MEN-DNE", "ministry", "https://www.education.gouv.fr"},
		{"Ministère de l'Économie, des Finances et de l'Industrie", "MEFI", "ministry", "https://www.economie.gouv.fr"},
	}
}

// SecretariatAcronym is the organisation holding the joint secretariat.
const SecretariatAcronym = "MEN-DNE"

var demoNamespace = uuid.MustParse("5d0c3f8e-2a41-4c7b-8e59-0f6a1b2c3d4e")

// commandID fixes the command ID of each demo step, which makes seeding idempotent.
func commandID(step string) string { return uuid.NewSHA1(demoNamespace, []byte(step)).String() }

// Actor is who the demo acts as: the demo secretariat persona (secretariat@demo.invalid),
// acting for the organisation holding the secretariat, a member of every demo working
// group. Seeding over HTTP with that persona's token sends the very same commands (the
// bus binds a command ID to its actor).
var Actor = events.Actor{User: "secretariat@demo.invalid", Organisation: OrganisationID(SecretariatAcronym).String(),
	Role: "secretariat"}

// Seed creates the committee (if needed), its organisations and its secretariat, then its
// work: a working group per theme with a journée de partage, a draft recommendation, an
// opinion put to the vote and action sheets at the three levels. Dates count from now.
// Running it again changes nothing. progress, if not nil, is told each step.
func Seed(ctx context.Context, s Sender, now time.Time, progress func(step string)) error {
	if progress == nil {
		progress = func(string) {}
	}
	if err := EnsureCommittee(ctx, s); err != nil {
		return err
	}
	for _, o := range Organisations() {
		progress("organisation " + o.Acronym)
		_, err := send(ctx, s, "add-organisation", "organisation/"+o.Acronym, o)
		if err != nil && !errors.Is(err, membership.ErrOrganisationExists) {
			return fmt.Errorf("demo: adding %s: %w", o.Acronym, err)
		}
	}
	progress("secretariat " + SecretariatAcronym)
	// Organisation IDs derive from the command that added them: the demo's are known.
	secretariat := OrganisationID(SecretariatAcronym)
	if _, err := send(ctx, s, "designate-secretariat", "secretariat", map[string]string{"organisation_id": secretariat.String()}); err != nil {
		return fmt.Errorf("demo: designating the secretariat: %w", err)
	}
	return seedWork(ctx, s, now, progress)
}

// EnsureCommittee creates the committee unless it exists: every deployment serves one.
func EnsureCommittee(ctx context.Context, s Sender) error {
	_, err := send(ctx, s, "create-committee", "committee", map[string]string{
		"name": Committee.Name, "acronym": Committee.Acronym, "description": Committee.Description})
	if err != nil && !errors.Is(err, membership.ErrCommitteeExists) {
		return fmt.Errorf("demo: creating the committee: %w", err)
	}
	return nil
}

func send(ctx context.Context, s Sender, command, step string, body any) (bus.Reply, error) {
	return sendTo(ctx, s, membership.Context, command, step, body)
}

// sendTo sends one demo step: its command ID is fixed by the step's name, and every step
// shares one correlation ID, the demo's.
func sendTo(ctx context.Context, s Sender, context, command, step string, body any) (bus.Reply, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return bus.Reply{}, err
	}
	return s.Send(ctx, bus.Request{Context: context, Command: command, CommandID: commandID(step),
		Body: b, Actor: Actor, CorrelationID: commandID("demo")})
}

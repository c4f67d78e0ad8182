package membership

import (
	"net/http"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/services/errcode"
)

// Rejections of membership commands. The codes are stable and append-only.
var (
	ErrCommitteeExists = errcode.New("committee_exists", http.StatusConflict,
		"Le comité a déjà été créé.", "The committee has already been created.")
	ErrCommitteeNotFound = errcode.New("committee_not_found", http.StatusNotFound,
		"Le comité n'a pas encore été créé.", "The committee has not been created yet.")
	ErrOrganisationExists = errcode.New("organisation_exists", http.StatusConflict,
		"Une organisation porte déjà ce nom ou ce sigle.", "An organisation already has this name or acronym.")
	ErrOrganisationNotFound = errcode.New("organisation_not_found", http.StatusNotFound,
		"Cette organisation n'existe pas.", "This organisation does not exist.")
	ErrOrganisationRemoved = errcode.New("organisation_removed", http.StatusConflict,
		"Cette organisation a été retirée du comité.", "This organisation was removed from the committee.")
	ErrOrganisationIsSecretariat = errcode.New("organisation_is_secretariat", http.StatusConflict,
		"Cette organisation assure le secrétariat : désignez d'abord un autre secrétariat.",
		"This organisation holds the secretariat: designate another secretariat first.")
	ErrRepresentativeExists = errcode.New("representative_exists", http.StatusConflict,
		"Un représentant utilise déjà cette adresse électronique.", "A representative already uses this e-mail address.")
	ErrRepresentativeNotFound = errcode.New("representative_not_found", http.StatusNotFound,
		"Ce représentant n'existe pas.", "This representative does not exist.")
	ErrRepresentativeRemoved = errcode.New("representative_removed", http.StatusConflict,
		"Ce représentant a été retiré.", "This representative was removed.")
)

// Rejections lists every rejection code of the membership context.
func Rejections() []*errcode.Error {
	return []*errcode.Error{ErrCommitteeExists, ErrCommitteeNotFound, ErrOrganisationExists,
		ErrOrganisationNotFound, ErrOrganisationRemoved, ErrOrganisationIsSecretariat,
		ErrRepresentativeExists, ErrRepresentativeNotFound, ErrRepresentativeRemoved}
}

// Decide returns the events a membership command produces against the committee c, none
// when the command changes nothing, or a rejection. It is pure.
func Decide(c Committee, cmd any) ([]events.Payload, error) {
	if _, ok := cmd.(CreateCommittee); !ok && !c.Created {
		return nil, ErrCommitteeNotFound
	}
	switch cmd := cmd.(type) {
	case CreateCommittee:
		return createCommittee(c, cmd)
	case AddOrganisation:
		return addOrganisation(c, cmd)
	case UpdateOrganisation:
		return updateOrganisation(c, cmd)
	case RemoveOrganisation:
		return removeOrganisation(c, cmd)
	case AddRepresentative:
		return addRepresentative(c, cmd)
	case ChangeRole:
		return changeRole(c, cmd)
	case RemoveRepresentative:
		return removeRepresentative(c, cmd)
	case DesignateSecretariat:
		return designateSecretariat(c, cmd)
	}
	return nil, errcode.UnknownCommand.With("membership: %T", cmd)
}

func createCommittee(c Committee, cmd CreateCommittee) ([]events.Payload, error) {
	if c.Created {
		return nil, ErrCommitteeExists
	}
	return []events.Payload{CommitteeCreated{CommitteeID: uuid.MustParse(CommitteeID), Name: clean(cmd.Name),
		Acronym: clean(cmd.Acronym), Description: strings.TrimSpace(cmd.Description)}}, nil
}

func addOrganisation(c Committee, cmd AddOrganisation) ([]events.Payload, error) {
	id := OrganisationIDFor(cmd.CommandID)
	name, acronym := clean(cmd.Name), clean(cmd.Acronym)
	if err := checkUnique(c, uuid.Nil, name, acronym); err != nil {
		return nil, err
	}
	kind := cmd.Kind
	if kind == "" {
		kind = KindOther
	}
	return []events.Payload{OrganisationAdded{OrganisationID: id, Name: name, Acronym: acronym, Kind: kind,
		Website: strings.TrimSpace(cmd.Website)}}, nil
}

func updateOrganisation(c Committee, cmd UpdateOrganisation) ([]events.Payload, error) {
	o, err := activeOrganisation(c, cmd.OrganisationID)
	if err != nil {
		return nil, err
	}
	next := OrganisationUpdated{OrganisationID: o.ID, Name: o.Name, Acronym: o.Acronym, Kind: o.Kind, Website: o.Website}
	if cmd.Name != nil {
		next.Name = clean(*cmd.Name)
	}
	if cmd.Acronym != nil {
		next.Acronym = clean(*cmd.Acronym)
	}
	if cmd.Kind != nil {
		next.Kind = *cmd.Kind
	}
	if cmd.Website != nil {
		next.Website = strings.TrimSpace(*cmd.Website)
	}
	if next.Name == o.Name && next.Acronym == o.Acronym && next.Kind == o.Kind && next.Website == o.Website {
		return nil, nil
	}
	if err := checkUnique(c, o.ID, next.Name, next.Acronym); err != nil {
		return nil, err
	}
	return []events.Payload{next}, nil
}

func removeOrganisation(c Committee, cmd RemoveOrganisation) ([]events.Payload, error) {
	o, err := activeOrganisation(c, cmd.OrganisationID)
	if err != nil {
		return nil, err
	}
	if c.Secretariat == o.ID {
		return nil, ErrOrganisationIsSecretariat
	}
	out := []events.Payload{OrganisationRemoved{OrganisationID: o.ID, Reason: strings.TrimSpace(cmd.Reason)}}
	var reps []uuid.UUID
	for id, r := range c.Representatives {
		if r.OrganisationID == o.ID && !r.Removed {
			reps = append(reps, id)
		}
	}
	// Map order is random; the events of a command must not be.
	slices.SortFunc(reps, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
	for _, id := range reps {
		out = append(out, RepresentativeRemoved{RepresentativeID: id, OrganisationID: o.ID, Reason: "organisation removed"})
	}
	return out, nil
}

func addRepresentative(c Committee, cmd AddRepresentative) ([]events.Payload, error) {
	o, err := activeOrganisation(c, cmd.OrganisationID)
	if err != nil {
		return nil, err
	}
	email := strings.TrimSpace(cmd.Email)
	for _, r := range c.Representatives {
		if !r.Removed && strings.EqualFold(r.Email, email) {
			return nil, ErrRepresentativeExists.With("%s", email)
		}
	}
	return []events.Payload{RepresentativeAdded{RepresentativeID: RepresentativeIDFor(cmd.CommandID),
		OrganisationID: o.ID, Name: clean(cmd.Name), Email: email, Role: cmd.Role}}, nil
}

func changeRole(c Committee, cmd ChangeRole) ([]events.Payload, error) {
	r, err := activeRepresentative(c, cmd.RepresentativeID)
	if err != nil {
		return nil, err
	}
	if r.Role == cmd.Role {
		return nil, nil
	}
	return []events.Payload{RepresentativeRoleChanged{RepresentativeID: r.ID, OrganisationID: r.OrganisationID,
		Role: cmd.Role, PreviousRole: r.Role}}, nil
}

func removeRepresentative(c Committee, cmd RemoveRepresentative) ([]events.Payload, error) {
	r, err := activeRepresentative(c, cmd.RepresentativeID)
	if err != nil {
		return nil, err
	}
	return []events.Payload{RepresentativeRemoved{RepresentativeID: r.ID, OrganisationID: r.OrganisationID,
		Reason: strings.TrimSpace(cmd.Reason)}}, nil
}

func designateSecretariat(c Committee, cmd DesignateSecretariat) ([]events.Payload, error) {
	o, err := activeOrganisation(c, cmd.OrganisationID)
	if err != nil {
		return nil, err
	}
	if c.Secretariat == o.ID {
		return nil, nil
	}
	ev := SecretariatDesignated{OrganisationID: o.ID}
	if c.Secretariat != uuid.Nil {
		prev := c.Secretariat
		ev.PreviousOrganisationID = &prev
	}
	return []events.Payload{ev}, nil
}

// activeOrganisation finds an organisation still in the committee.
func activeOrganisation(c Committee, id string) (Organisation, error) {
	uid, err := uuid.Parse(id)
	o, ok := c.Organisations[uid]
	switch {
	case err != nil || !ok:
		return Organisation{}, ErrOrganisationNotFound.With("%s", id)
	case o.Removed:
		return Organisation{}, ErrOrganisationRemoved.With("%s", id)
	}
	return o, nil
}

// activeRepresentative finds a representative still in office.
func activeRepresentative(c Committee, id string) (Representative, error) {
	uid, err := uuid.Parse(id)
	r, ok := c.Representatives[uid]
	switch {
	case err != nil || !ok:
		return Representative{}, ErrRepresentativeNotFound.With("%s", id)
	case r.Removed:
		return Representative{}, ErrRepresentativeRemoved.With("%s", id)
	}
	return r, nil
}

// checkUnique rejects a name or acronym another current organisation already has,
// ignoring case and spacing.
func checkUnique(c Committee, self uuid.UUID, name, acronym string) error {
	for _, o := range c.Organisations {
		if o.ID == self || o.Removed {
			continue
		}
		if strings.EqualFold(o.Acronym, acronym) {
			return ErrOrganisationExists.WithFields(map[string]string{"acronym": "unique"}).With("acronym %s", acronym)
		}
		if strings.EqualFold(o.Name, name) {
			return ErrOrganisationExists.WithFields(map[string]string{"name": "unique"}).With("name %s", name)
		}
	}
	return nil
}

// clean trims a name and collapses its inner runs of white space.
func clean(s string) string { return strings.Join(strings.Fields(s), " ") }

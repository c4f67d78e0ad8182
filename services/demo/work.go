package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/comite-partenaires/comite/services/actionsheets"
	"github.com/comite-partenaires/comite/services/consultations"
	"github.com/comite-partenaires/comite/services/errcode"
	"github.com/comite-partenaires/comite/services/membership"
	"github.com/comite-partenaires/comite/services/opinions"
	"github.com/comite-partenaires/comite/services/themes"
	"github.com/comite-partenaires/comite/services/workinggroups"
)

// Group is a demo working group: one per theme of the charter.
type Group struct {
	Theme   themes.Theme
	Mandate string
	// Lead and Members are acronyms of demo organisations.
	Lead    string
	Members []string
}

// Groups returns the demo working groups, with mandates taken from the charter (seeds/).
func Groups() []Group {
	return []Group{
		{themes.Governance, "Structurer un cadre général de cohérence, suffisamment souple pour articuler les réalités locales " +
			"et créer des continuités entre les différents échelons territoriaux.", "AMF", []string{"ADF", "ARF", "AMRF", "MEN-DNE"}},
		{themes.SchoolUses, "Suivre les usages du numérique à l'École et autour de l'École : relation entre l'établissement et la famille, " +
			"usages périscolaires, continuité des parcours.", "RFVE", []string{"AMGVF", "AMVBF", "MEN-DNE"}},
		{themes.Support, "Favoriser l'accompagnement des enseignants et des agents territoriaux : sensibilisation, médiation, " +
			"journées de partage et conférences de consensus.", "VI", []string{"AMF", "CDC", "MEN-DNE"}},
		{themes.Frameworks, "Examiner les référentiels nationaux relatifs aux ressources, aux équipements, aux usages et aux formations, " +
			"et contribuer à leur évolution.", "MEN-DNE", []string{"ADF", "ARF"}},
		{themes.Infrastructure, "Recueillir l'information sur le très haut débit, repérer et valoriser les bonnes pratiques d'acquisition, " +
			"de maintenance et de renouvellement des matériels.", "CDC", []string{"AMRF", "ADF", "ARF", "AMF", "MEN-DNE"}},
		{themes.Industry, "Exprimer une demande plus lisible envers la filière du numérique éducatif et proposer des pratiques d'achat " +
			"public qui simplifient et mutualisent les commandes.", "MEFI", []string{"ARF", "AMGVF", "VI", "MEN-DNE"}},
	}
}

// The demo's texts, from the founding documents (seeds/).
const (
	draftTitle = "Recommandation pour une gouvernance concertée du service public du numérique éducatif"
	draftText  = "Le comité des partenaires recommande une démarche de gouvernance concertée et partagée entre tous les niveaux " +
		"de pouvoir public, permettant d'associer pleinement les collectivités territoriales et l'État dans leurs décisions " +
		"en matière de développement du numérique à l'École, dans le respect des compétences de chacun.\n\n" +
		"Des bassins de vie aux bassins d'éducation, l'échelle de gouvernance la plus adaptée est aussi diverse que le sont " +
		"les territoires. Chaque délégué académique au numérique associe les collectivités à l'élaboration de la feuille de " +
		"route numérique de son académie.\n\n" +
		"Le comité propose une plateforme numérique de bonnes pratiques, ouverte aux collectivités et aux services de l'État."
	votedTitle = "Avis sur la mise à niveau numérique des écoles primaires"
	votedText  = "Le comité constate des inégalités territoriales importantes et persistantes dans l'équipement des " +
		"établissements scolaires, et par conséquent dans l'accès des élèves au numérique éducatif.\n\n" +
		"Il estime que le niveau de l'école primaire mérite une attention particulière, et que les mairies doivent pouvoir " +
		"s'appuyer sur la logistique spécialisée des départements et des régions : ingénierie, marchés publics, maintenance.\n\n" +
		"Il recommande d'encourager les logiques de mutualisation, notamment par des syndicats mixtes travaillant avec les " +
		"EPCI, au profit d'un accès généralisé des élèves au numérique éducatif tout au long de leur scolarité."
)

// Sheet is a demo action sheet.
type Sheet struct {
	Title, Description string
	Level              actionsheets.Level
	Theme              themes.Theme
	Owner              string
	// Months until the sheet is due.
	Months int
}

// Sheets returns the demo action sheets, one per level: mairie, département, région.
func Sheets() []Sheet {
	return []Sheet{
		{"Raccorder chaque école primaire au très haut débit", "Recenser les écoles non raccordées et programmer leur raccordement " +
			"avec le plan France Très Haut Débit.", actionsheets.Level("commune"), themes.Infrastructure, "AMRF", 12},
		{"Mutualiser la maintenance des équipements par un syndicat mixte", "Proposer aux communes et aux EPCI une maintenance " +
			"mutualisée des équipements numériques des écoles, adossée à celle des collèges.", actionsheets.Level("departement"), themes.Infrastructure, "ADF", 9},
		{"Établir la feuille de route numérique régionale des lycées", "Articuler la feuille de route régionale avec celles des " +
			"académies et les plans d'équipement des départements.", actionsheets.Level("region"), themes.Governance, "ARF", 6},
	}
}

// OrganisationID is the ID of the demo organisation with this acronym.
func OrganisationID(acronym string) uuid.UUID {
	return membership.OrganisationIDFor(commandID("organisation/" + acronym))
}

// GroupID is the ID of the demo working group of a theme.
func GroupID(t themes.Theme) uuid.UUID {
	return workinggroups.GroupIDFor(commandID("group/" + string(t)))
}

// DraftOpinionID and VotedOpinionID name the demo's two opinions; ConsultationID the vote.
func DraftOpinionID() uuid.UUID { return opinions.OpinionIDFor(commandID("opinion/draft")) }
func VotedOpinionID() uuid.UUID { return opinions.OpinionIDFor(commandID("opinion/voted")) }
func ConsultationID() uuid.UUID { return consultations.ConsultationIDFor(commandID("consultation")) }

// seedWork adds the committee's work: the groups, a draft recommendation, an opinion
// being voted on and action sheets. Dates count from today (the UTC day of now), so a
// seed run again the same day sends the very same commands; on a later day, steps done
// before are recognised (idempotency_key_reused) and skipped.
func seedWork(ctx context.Context, s Sender, now time.Time, progress func(string)) error {
	today := now.UTC().Truncate(24 * time.Hour)
	step := func(context, command, name string, body any) error {
		_, err := sendTo(ctx, s, context, command, name, body)
		if err != nil && !errors.Is(err, errcode.IdempotencyReused) {
			return fmt.Errorf("demo: %s: %w", name, err)
		}
		return nil
	}
	for _, g := range Groups() {
		progress("working group " + themes.LabelOf(g.Theme).FR)
		if err := step(workinggroups.Context, workinggroups.CmdCreateGroup, "group/"+string(g.Theme), map[string]any{
			"name": themes.LabelOf(g.Theme).FR, "mandate": g.Mandate, "theme": g.Theme, "lead_organisation_id": OrganisationID(g.Lead)}); err != nil {
			return err
		}
		for _, m := range g.Members {
			if err := step(workinggroups.Context, workinggroups.CmdAddMember, "group/"+string(g.Theme)+"/member/"+m, map[string]any{
				"group_id": GroupID(g.Theme), "organisation_id": OrganisationID(m)}); err != nil {
				return err
			}
		}
	}
	progress("journée de partage")
	if err := step(workinggroups.Context, workinggroups.CmdScheduleMeeting, "meeting/journee", map[string]any{
		"group_id": GroupID(themes.Support), "title": "Deuxième journée du numérique à l'École", "kind": "journee_de_partage",
		"starts_at": today.AddDate(0, 1, 0).Add(9 * time.Hour), "place": "ENS de Lyon",
		"agenda": []map[string]any{
			{"title": "Répartition des financements", "presenter_organisation_id": OrganisationID("CDC")},
			{"title": "Réponses industrielles aux besoins des établissements et des collectivités", "presenter_organisation_id": OrganisationID("MEFI")},
			{"title": "Formation des enseignants et des agents des collectivités", "presenter_organisation_id": OrganisationID("MEN-DNE")},
		}}); err != nil {
		return err
	}

	progress("draft recommendation")
	if err := step(opinions.Context, opinions.CmdCreateOpinion, "opinion/draft", map[string]any{"kind": "recommendation",
		"title": draftTitle, "group_id": GroupID(themes.Governance), "theme": themes.Governance, "text": draftText}); err != nil {
		return err
	}

	progress("opinion put to the vote")
	voted := VotedOpinionID()
	for _, st := range []struct{ command, name string }{
		{opinions.CmdCreateOpinion, "opinion/voted"}, {opinions.CmdSubmitForReview, "opinion/voted/review"}, {opinions.CmdOpenVote, "opinion/voted/vote"},
	} {
		body := map[string]any{"opinion_id": voted}
		if st.command == opinions.CmdCreateOpinion {
			body = map[string]any{"kind": "opinion", "title": votedTitle, "group_id": GroupID(themes.Infrastructure),
				"theme": themes.Infrastructure, "text": votedText}
		}
		if err := step(opinions.Context, st.command, st.name, body); err != nil {
			return err
		}
	}
	var electorate []map[string]any
	for _, o := range Organisations() {
		electorate = append(electorate, map[string]any{"organisation_id": OrganisationID(o.Acronym)})
	}
	if err := step(consultations.Context, consultations.CmdOpenConsultation, "consultation", map[string]any{
		"question":    "Le comité adopte-t-il l'avis sur la mise à niveau numérique des écoles primaires ?",
		"description": "Vote à bulletin ouvert ; chaque organisation dispose d'une voix.",
		"kind":        "yes_no_abstain", "electorate": electorate, "quorum": map[string]any{"min_participation": 50},
		"deadline": today.AddDate(0, 0, 14).Add(17 * time.Hour), "results": "at_close",
		"opinion_id": voted, "opinion_text_sha256": opinions.TextSHA256(votedText)}); err != nil {
		return err
	}

	for _, sh := range Sheets() {
		progress("action sheet " + string(sh.Level))
		if err := step(actionsheets.Context, actionsheets.CmdCreateSheet, "sheet/"+string(sh.Level), map[string]any{
			"title": sh.Title, "description": sh.Description, "level": sh.Level, "theme": sh.Theme,
			"organisation_id": OrganisationID(sh.Owner), "due_date": today.AddDate(0, sh.Months, 0).Format(time.DateOnly)}); err != nil {
			return err
		}
	}
	first := actionsheets.SheetIDFor(commandID("sheet/" + string(Sheets()[0].Level)))
	if err := step(actionsheets.Context, actionsheets.CmdStartSheet, "sheet/commune/start", map[string]any{"sheet_id": first}); err != nil {
		return err
	}
	return step(actionsheets.Context, actionsheets.CmdRecordProgress, "sheet/commune/progress", map[string]any{"sheet_id": first,
		"percent": 25, "comment": "Recensement des écoles non raccordées terminé dans un département pilote.",
		"as_of": today.Format(time.DateOnly)})
}

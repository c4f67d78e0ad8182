// Package collab is a co-drafting client as @codemirror/collab (6.1) runs one against a
// central authority, in Go: a local text, the version it last received, and the changes
// made since that the authority has not confirmed yet. Receive is collab's
// receiveUpdates. The opinions service's property tests and `comite bench codraft` drive
// simulated editors with it.
package collab

import (
	"fmt"

	"github.com/comite-partenaires/comite/services/opinions"
	"github.com/comite-partenaires/comite/services/opinions/changeset"
)

// Update is an accepted change as an editor receives it: an opinions.draft.changed
// event (a row of the opinion-updates view).
type Update struct {
	Changes  changeset.ChangeSet
	ClientID string
}

// Doc is one editor's state.
type Doc struct {
	// ClientID names the editor's pushes; its own changes come back with it.
	ClientID string
	Text     string
	// Version is the version of the text the unconfirmed changes apply after.
	Version     int
	Unconfirmed []changeset.ChangeSet
}

// Edit applies a local change to the text and keeps it to push.
func (d *Doc) Edit(cs changeset.ChangeSet) error {
	text, err := cs.Apply(d.Text)
	if err != nil {
		return fmt.Errorf("collab: %s: its own change %s does not apply: %w", d.ClientID, cs, err)
	}
	d.Text = text
	d.Unconfirmed = append(d.Unconfirmed, cs)
	return nil
}

// Sendable is what a push sends: the unconfirmed changes, at most
// opinions.MaxChangeSets, made on Version.
func (d *Doc) Sendable() []changeset.ChangeSet {
	return d.Unconfirmed[:min(len(d.Unconfirmed), opinions.MaxChangeSets)]
}

// Receive is receiveUpdates, for the updates that follow Version, in order: the editor's
// own changes among them (recognised by client ID, in order) confirm its unconfirmed
// ones; the others are composed, the unconfirmed changes are mapped over them and they
// over the unconfirmed changes (ours first), and the result is applied to the text.
func (d *Doc) Receive(updates []Update) error {
	d.Version += len(updates)
	var changes *changeset.ChangeSet
	own := 0
	for _, u := range updates {
		if own < len(d.Unconfirmed) && u.ClientID == d.ClientID {
			if changes != nil {
				mapped, err := changes.Map(d.Unconfirmed[own], true)
				if err != nil {
					return err
				}
				changes = &mapped
			}
			own++
			continue
		}
		if u.ClientID == d.ClientID {
			return fmt.Errorf("collab: %s: a change of its own it does not hold", d.ClientID)
		}
		if changes == nil {
			c := u.Changes
			changes = &c
			continue
		}
		composed, err := changes.Compose(u.Changes)
		if err != nil {
			return err
		}
		changes = &composed
	}
	d.Unconfirmed = d.Unconfirmed[own:]
	if changes == nil {
		return nil
	}
	for i, u := range d.Unconfirmed {
		rebased, err := u.Map(*changes, false)
		if err != nil {
			return err
		}
		over, err := changes.Map(u, true)
		if err != nil {
			return err
		}
		d.Unconfirmed[i], changes = rebased, &over
	}
	text, err := changes.Apply(d.Text)
	if err != nil {
		return fmt.Errorf("collab: %s: received changes do not apply: %w", d.ClientID, err)
	}
	d.Text = text
	return nil
}

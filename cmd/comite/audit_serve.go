package main

import (
	"net/http"

	"github.com/comite-partenaires/comite/events"
	"github.com/comite-partenaires/comite/events/audit"
	"github.com/comite-partenaires/comite/services/authz"
	"github.com/comite-partenaires/comite/services/errcode"
	"github.com/comite-partenaires/comite/services/gateway"
)

// newSealer is the system's checkpoint sealer (it also registers the audit event types,
// which every reader of the whole log must know).
func newSealer(s *system, cfg systemConfig) (*audit.Sealer, error) {
	every := uint64(audit.DefaultEvery)
	switch {
	case cfg.CheckpointEvery < 0:
		every = 0
	case cfg.CheckpointEvery > 0:
		every = uint64(cfg.CheckpointEvery)
	}
	return audit.NewSealer(audit.SealerConfig{Store: s.store, Registry: s.registry, Every: every,
		Clock: clockOf(cfg), Log: cfg.Log})
}

// auditEndpoints are the auditors' HTTP endpoints (export, on-demand seal).
func auditEndpoints(s *system, identify func(*http.Request) (gateway.Identity, error), cfg systemConfig) (http.Handler, error) {
	return gateway.NewAuditHandler(gateway.AuditConfig{Log: s.store, Seal: s.sealer.Seal, Identify: identify,
		MayExport: mayRole("export the log", authz.Auditor),
		MaySeal:   mayRole("seal a checkpoint", authz.Auditor, authz.Secretariat),
		Streams:   listStreams(s.store), Stream: readStream(s.store),
		Logger: cfg.Log})
}

// mayRole allows the given roles only.
func mayRole(what string, roles ...authz.Role) func(events.Actor) error {
	return func(a events.Actor) error {
		switch {
		case a.Role == "":
			return errcode.Unauthenticated
		case !authz.Is(a, roles...):
			return errcode.Forbidden.With("the role %q may not %s", a.Role, what)
		}
		return nil
	}
}

// onDemandIfZero maps the --checkpoint-every flag (0: only on demand) to
// systemConfig.CheckpointEvery (negative: only on demand; 0: the default).
func onDemandIfZero(n int) int {
	if n <= 0 {
		return -1
	}
	return n
}

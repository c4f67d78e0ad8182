// Package cow is copy-on-write for the maps inside aggregate states: Evolve must never
// modify the state it is given (earlier states stay valid, decide tables compare them),
// so a change to a map is a new map.
package cow

import "maps"

// With returns a copy of m with k set to v; m is not modified.
func With[K comparable, V any](m map[K]V, k K, v V) map[K]V {
	out := make(map[K]V, len(m)+1)
	maps.Copy(out, m)
	out[k] = v
	return out
}

// Without returns a copy of m without k; m is not modified.
func Without[K comparable, V any](m map[K]V, k K) map[K]V {
	out := maps.Clone(m)
	delete(out, k)
	return out
}

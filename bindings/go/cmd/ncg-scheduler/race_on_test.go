//go:build race

package main

// raceEnabled: the race detector keeps shadow memory for what the heap gives back, so resident memory says
// nothing of it.
const raceEnabled = true

//go:build race

package load

// raceEnabled widens timing tolerances: the race detector slows every request several fold.
const raceEnabled = true

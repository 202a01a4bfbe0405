package diagnose

// directusChecks judge the Directus settings that break with more than one replica (the DX
// checks). Each check lives in its own directus_*.go file and is appended here.
func directusChecks() []Check {
	return nil
}

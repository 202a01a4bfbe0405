package diagnose

import (
	"fmt"
	"path"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// envState says how much the doctor knows about one variable.
type envState int

const (
	// envUnset: no source sets the variable; Directus uses its default.
	envUnset envState = iota
	// envKnown: set, and the value is known (a literal or a ConfigMap value).
	envKnown
	// envOpaque: set from a source the doctor does not read (a Secret key, a file, a field).
	envOpaque
	// envMaybe: an optional reference, or an envFrom Secret whose keys are not read, may set
	// it; the doctor cannot tell.
	envMaybe
)

// envVar is one resolved variable of a container.
type envVar struct {
	Name  string
	State envState
	Value string
	// From names the source, e.g. "env value", "ConfigMap cms-config (envFrom)",
	// "Secret cms-secrets key SECRET", "file /run/secrets/cms/SECRET (Secret cms-secrets)".
	From string
	// Ref is the Secret or ConfigMap the value comes from, "" for literals.
	Ref string
	// Literal is true when the value sits in the pod template or a ConfigMap in plain text.
	Literal bool
}

// set reports whether the variable is certainly set.
func (v envVar) set() bool { return v.State == envKnown || v.State == envOpaque }

// describe renders the variable for evidence without printing secret values.
func (v envVar) describe() string {
	switch v.State {
	case envKnown:
		return fmt.Sprintf("%s=%s (%s)", v.Name, v.Value, v.From)
	case envOpaque:
		return fmt.Sprintf("%s from %s", v.Name, v.From)
	case envMaybe:
		return fmt.Sprintf("%s possibly from %s (not read)", v.Name, v.From)
	default:
		return v.Name + " unset"
	}
}

// envView is the environment of one container as the kubelet builds it: envFrom sources in
// order, later ones winning, then env entries, which override envFrom. Secret data is never
// read: a Secret key is "opaque", an envFrom Secret "may" hold any variable.
//
// Values that reference other variables with $(NAME) are kept as written: the doctor does not
// expand them, so a host built that way is not resolved to a Service.
type envView struct {
	container string
	vars      map[string]envVar
	// secretsFrom are the envFrom Secrets, whose keys are unknown.
	secretsFrom []envFromSecret
	// sources lists every source consulted, for "what was checked" evidence; secretRefs
	// lists, per Secret referenced by name, the variables taken from it.
	sources    []string
	secretRefs map[string][]string
	secretSeq  []string
	mounts     []corev1.VolumeMount
	volumes    map[string]*corev1.Volume
}

type envFromSecret struct {
	name, prefix string
	optional     bool
}

// resolveEnv builds the environment of container c in a pod of namespace ns.
func resolveEnv(snap *view, ns string, spec *corev1.PodSpec,
	c *corev1.Container) *envView {
	v := &envView{container: c.Name, vars: map[string]envVar{}, mounts: c.VolumeMounts,
		volumes: map[string]*corev1.Volume{}, secretRefs: map[string][]string{}}
	for i := range spec.Volumes {
		v.volumes[spec.Volumes[i].Name] = &spec.Volumes[i]
	}
	cms := snap.configMaps[ns]

	v.sources = append(v.sources, "env of container "+c.Name)
	for _, from := range c.EnvFrom {
		v.addEnvFrom(from, cms)
	}
	for _, e := range c.Env {
		v.addEnv(e, cms)
	}
	return v
}

func (v *envView) addEnvFrom(from corev1.EnvFromSource, cms map[string]*corev1.ConfigMap) {
	if ref := from.SecretRef; ref != nil {
		v.secretsFrom = append(v.secretsFrom, envFromSecret{name: ref.Name, prefix: from.Prefix,
			optional: ref.Optional != nil && *ref.Optional})
		v.sources = append(v.sources, "envFrom Secret "+ref.Name+" (keys not read)")
		return
	}
	ref := from.ConfigMapRef
	if ref == nil {
		return
	}
	cm := cms[ref.Name]
	if cm == nil {
		v.sources = append(v.sources, "envFrom ConfigMap "+ref.Name+" (not found)")
		return
	}
	v.sources = append(v.sources, "envFrom ConfigMap "+ref.Name)
	for key, value := range cm.Data {
		name := from.Prefix + key
		v.vars[name] = envVar{Name: name, State: envKnown, Value: value, Literal: true,
			From: "ConfigMap " + ref.Name + " (envFrom)", Ref: "ConfigMap " + ref.Name}
	}
}

func (v *envView) addEnv(e corev1.EnvVar, cms map[string]*corev1.ConfigMap) {
	src := e.ValueFrom
	switch {
	case src == nil:
		v.vars[e.Name] = envVar{Name: e.Name, State: envKnown, Value: e.Value, Literal: true,
			From: "env value"}
	case src.SecretKeyRef != nil:
		v.vars[e.Name] = secretKeyVar(e.Name, src.SecretKeyRef)
		v.referSecret(src.SecretKeyRef.Name, e.Name)
	case src.ConfigMapKeyRef != nil:
		v.vars[e.Name] = configMapKeyVar(e.Name, src.ConfigMapKeyRef, cms)
	case src.FieldRef != nil:
		v.vars[e.Name] = envVar{Name: e.Name, State: envOpaque,
			From: "field " + src.FieldRef.FieldPath}
	case src.ResourceFieldRef != nil:
		v.vars[e.Name] = envVar{Name: e.Name, State: envOpaque,
			From: "resource " + src.ResourceFieldRef.Resource}
	default:
		v.vars[e.Name] = envVar{Name: e.Name, State: envOpaque, From: "valueFrom"}
	}
}

func secretKeyVar(name string, ref *corev1.SecretKeySelector) envVar {
	from := "Secret " + ref.Name + " key " + ref.Key
	out := envVar{Name: name, State: envOpaque, From: from, Ref: "Secret " + ref.Name}
	if ref.Optional != nil && *ref.Optional {
		// An optional reference to a missing key leaves the variable unset, and without
		// reading the Secret the doctor cannot tell whether the key exists.
		out.State, out.From = envMaybe, "optional "+from
	}
	return out
}

func configMapKeyVar(name string, ref *corev1.ConfigMapKeySelector,
	cms map[string]*corev1.ConfigMap) envVar {
	from := "ConfigMap " + ref.Name + " key " + ref.Key
	out := envVar{Name: name, From: from, Ref: "ConfigMap " + ref.Name, Literal: true}
	cm := cms[ref.Name]
	if cm == nil {
		out.From += " (ConfigMap not found)"
		return out
	}
	value, ok := cm.Data[ref.Key]
	if !ok {
		out.From += " (key not found)"
		return out
	}
	out.State, out.Value = envKnown, value
	return out
}

func (v *envView) referSecret(name, variable string) {
	if _, seen := v.secretRefs[name]; !seen {
		v.secretSeq = append(v.secretSeq, name)
	}
	v.secretRefs[name] = append(v.secretRefs[name], variable)
}

// checked lists every source the view consulted, e.g. "envFrom ConfigMap cms-config" and
// "Secret cms-secrets (referenced for DB_PASSWORD)".
func (v *envView) checked() []string {
	out := append([]string(nil), v.sources...)
	for _, name := range v.secretSeq {
		out = append(out, "Secret "+name+" (referenced for "+
			strings.Join(v.secretRefs[name], ", ")+")")
	}
	return out
}

// get resolves one variable. A variable no env entry or ConfigMap sets may still come from an
// envFrom Secret: then it is "maybe".
func (v *envView) get(name string) envVar {
	if got, ok := v.vars[name]; ok {
		return got
	}
	for i := len(v.secretsFrom) - 1; i >= 0; i-- {
		s := v.secretsFrom[i]
		if strings.HasPrefix(name, s.prefix) {
			return envVar{Name: name, State: envMaybe, From: "envFrom Secret " + s.name,
				Ref: "Secret " + s.name}
		}
	}
	return envVar{Name: name, State: envUnset}
}

// value returns the known value of a variable, or def when it is unset. ok is false when the
// variable is set from a source the doctor cannot read.
func (v *envView) value(name, def string) (value string, ok bool) {
	got := v.get(name)
	switch got.State {
	case envKnown:
		return got.Value, true
	case envUnset:
		return def, true
	default:
		return "", false
	}
}

// withPrefix returns the variables certainly set whose names start with prefix, sorted.
func (v *envView) withPrefix(prefix string) []envVar {
	var out []envVar
	for name, got := range v.vars {
		if strings.HasPrefix(name, prefix) && got.State != envUnset {
			out = append(out, got)
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Name < out[b].Name })
	return out
}

// fileVar resolves the _FILE form of a variable: NAME_FILE holds a path that Directus reads
// the value from. It returns the variable as opaque when the path lies on a mounted Secret or
// ConfigMap volume.
func (v *envView) fileVar(name string) (envVar, bool) {
	file := v.get(name + "_FILE")
	if file.State != envKnown || file.Value == "" {
		return file, file.State != envUnset
	}
	source := v.volumeSourceOf(file.Value)
	return envVar{Name: name, State: envOpaque, From: "file " + file.Value + " (" + source + ")",
		Ref: source}, true
}

// volumeSourceOf names what provides the file at p: "Secret cms-secrets mounted at /run/x",
// or "no volume mounted there" when no mount covers it.
func (v *envView) volumeSourceOf(p string) string {
	p = path.Clean(p)
	best := -1
	for i, m := range v.mounts {
		mp := path.Clean(m.MountPath)
		if (p == mp || strings.HasPrefix(p, mp+"/")) &&
			(best < 0 || len(mp) > len(path.Clean(v.mounts[best].MountPath))) {
			best = i
		}
	}
	if best < 0 {
		return "no volume mounted there"
	}
	m := v.mounts[best]
	return volumeKind(v.volumes[m.Name]) + " mounted at " + m.MountPath
}

func volumeKind(vol *corev1.Volume) string {
	switch {
	case vol == nil:
		return "unknown volume"
	case vol.Secret != nil:
		return "Secret " + vol.Secret.SecretName
	case vol.ConfigMap != nil:
		return "ConfigMap " + vol.ConfigMap.Name
	case vol.Projected != nil:
		return "projected volume " + vol.Name
	case vol.CSI != nil:
		return "CSI volume " + vol.Name + " (" + vol.CSI.Driver + ")"
	default:
		return "volume " + vol.Name
	}
}

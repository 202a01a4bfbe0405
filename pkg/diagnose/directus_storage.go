package diagnose

import (
	"fmt"
	"path"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// directusWorkdir is the image's working directory; relative storage roots start there.
const directusWorkdir = "/directus"

// storageCheck (DX07): a local storage location keeps each upload on the pod that received
// it unless its root is a volume all replicas share.
func storageCheck(c *viewCache) Check {
	return directusCheck(c, "DX07", "uploads go to storage all replicas share", envNeeds(),
		func(*view) directusJudge { return judgeStorage })
}

const storageFix = "use an object store (STORAGE_<LOCATION>_DRIVER=s3 with its keys from a " +
	"Secret), or mount a ReadWriteMany volume at the location's root"

func judgeStorage(w *workload, env *envView) []Finding {
	locations, known := env.value("STORAGE_LOCATIONS", "local")
	if !w.several() || !known {
		return nil
	}
	var out []Finding
	for _, loc := range strings.Split(locations, ",") {
		if loc = strings.TrimSpace(loc); loc != "" {
			out = append(out, judgeLocation(w, env, loc)...)
		}
	}
	return out
}

func judgeLocation(w *workload, env *envView, loc string) []Finding {
	prefix := "STORAGE_" + strings.ToUpper(loc) + "_"
	defDriver := ""
	if loc == "local" {
		defDriver = "local"
	}
	driver, known := env.value(prefix+"DRIVER", defDriver)
	if !known || driver != "local" {
		return nil
	}
	root, known := env.value(prefix+"ROOT", "./uploads")
	if !known {
		return nil
	}
	if !path.IsAbs(root) {
		root = path.Join(directusWorkdir, root)
	}

	sev, verdict := sharedVolumeVerdict(w, root)
	if sev == OK {
		return nil
	}
	return []Finding{w.finding("DX07", sev, fmt.Sprintf("storage location %s keeps uploads "+
		"under %s, %s", loc, root, verdict), []string{w.replicaRange(),
		fmt.Sprintf("%sDRIVER=local, root %s", prefix, root)}, storageFix)}
}

// sharedVolumeVerdict judges what backs the storage root: nothing or a per-pod volume is an
// error, a claim whose access mode the snapshot does not show is advice to check it.
func sharedVolumeVerdict(w *workload, root string) (Severity, string) {
	mount, vol := mountCovering(&w.Template.Spec, w.Container, root)
	switch {
	case mount == nil:
		return Error, "in each container's own filesystem: a file exists on one pod only and " +
			"is lost when it restarts"
	case vol == nil && w.Kind == "StatefulSet":
		return Error, "on a volumeClaimTemplate (" + mount.Name + "): each replica has its own disk"
	case vol == nil:
		return Info, "on volume " + mount.Name + ", which the pod spec does not define"
	case vol.EmptyDir != nil || vol.HostPath != nil || vol.Ephemeral != nil:
		return Error, "on volume " + vol.Name + " that belongs to one pod or node"
	case vol.PersistentVolumeClaim != nil:
		return Info, "on PersistentVolumeClaim " + vol.PersistentVolumeClaim.ClaimName +
			": it must be ReadWriteMany (the doctor does not read claims to check)"
	}
	return OK, ""
}

// mountCovering returns the container's mount that holds path p, and its volume.
func mountCovering(spec *corev1.PodSpec, c *corev1.Container,
	p string) (*corev1.VolumeMount, *corev1.Volume) {
	var best *corev1.VolumeMount
	for i := range c.VolumeMounts {
		m := &c.VolumeMounts[i]
		mp := path.Clean(m.MountPath)
		covers := p == mp || strings.HasPrefix(p, mp+"/")
		if covers && (best == nil || len(mp) > len(best.MountPath)) {
			best = m
		}
	}
	if best == nil {
		return nil, nil
	}
	for i := range spec.Volumes {
		if spec.Volumes[i].Name == best.Name {
			return best, &spec.Volumes[i]
		}
	}
	return best, nil
}

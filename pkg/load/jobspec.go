package load

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// urlEnv carries the target URL into the wget script, which never splices it into shell
// text.
const urlEnv = "LOAD_URL"

// BuildJob returns the Job that runs cfg's generator: one pod, never restarted, stopped by
// the cluster after cfg.Deadline, deleted by the cluster some minutes after it finishes, and
// locked down to run in namespaces that enforce the restricted Pod Security Standard.
func BuildJob(cfg JobConfig) (*batchv1.Job, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	labels := RunLabels(cfg.RunID)

	job := &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: cfg.JobName(), Namespace: cfg.Namespace,
			Labels: labels},
		Spec: batchv1.JobSpec{
			BackoffLimit:            ptr.To[int32](0),
			TTLSecondsAfterFinished: ptr.To[int32](ttlAfterFinished),
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       podSpec(cfg),
			},
		},
	}
	if cfg.Deadline > 0 {
		job.Spec.ActiveDeadlineSeconds = ptr.To(int64(cfg.Deadline.Seconds()))
	}
	return job, nil
}

func podSpec(cfg JobConfig) corev1.PodSpec {
	command, args := Command(cfg)
	image := cfg.Image
	if image == "" {
		image = cfg.Tool.DefaultImage()
	}

	return corev1.PodSpec{
		RestartPolicy:                 corev1.RestartPolicyNever,
		TerminationGracePeriodSeconds: ptr.To[int64](5),
		AutomountServiceAccountToken:  ptr.To(false),
		EnableServiceLinks:            ptr.To(false),
		SecurityContext: &corev1.PodSecurityContext{
			RunAsNonRoot:   ptr.To(true),
			RunAsUser:      ptr.To[int64](65534),
			RunAsGroup:     ptr.To[int64](65534),
			SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
		Containers: []corev1.Container{{
			Name:      string(cfg.Tool),
			Image:     image,
			Command:   command,
			Args:      args,
			Env:       []corev1.EnvVar{{Name: urlEnv, Value: cfg.URL}},
			Resources: resources(cfg.Tool),
			SecurityContext: &corev1.SecurityContext{
				AllowPrivilegeEscalation: ptr.To(false),
				ReadOnlyRootFilesystem:   ptr.To(true),
				Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
			},
		}},
	}
}

// resources requests a little CPU and bounds memory; ab and hey keep one record per
// request, wget loops keep nothing.
func resources(tool Tool) corev1.ResourceRequirements {
	limit := "256Mi"
	if tool == ToolWget {
		limit = "64Mi"
	}
	return corev1.ResourceRequirements{
		Requests: corev1.ResourceList{
			corev1.ResourceCPU:    resource.MustParse("250m"),
			corev1.ResourceMemory: resource.MustParse("32Mi"),
		},
		Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse(limit)},
	}
}

// Command returns the container command and arguments that run cfg's tool. An empty
// command keeps the image's entrypoint.
func Command(cfg JobConfig) (command, args []string) {
	switch cfg.Tool {
	case ToolAB:
		return []string{"ab"}, abArgs(cfg)
	case ToolHey:
		return nil, heyArgs(cfg)
	default:
		return []string{"sh", "-c", wgetScript(cfg)}, nil
	}
}

// abArgs keeps going on receive errors (-r) and, in duration mode, raises ab's implicit cap
// of 50,000 requests; -n must follow -t for that.
func abArgs(cfg JobConfig) []string {
	args := []string{"-r", "-c", strconv.Itoa(cfg.Concurrency)}
	if cfg.Duration > 0 {
		args = append(args, "-t", seconds(cfg), "-n", strconv.Itoa(abMaxRequests))
	} else {
		args = append(args, "-n", strconv.FormatInt(cfg.Requests, 10))
	}
	return append(args, withPath(cfg.URL))
}

func heyArgs(cfg JobConfig) []string {
	args := []string{"-c", strconv.Itoa(cfg.Concurrency)}
	if cfg.Duration > 0 {
		args = append(args, "-z", seconds(cfg)+"s")
	} else {
		args = append(args, "-n", strconv.FormatInt(cfg.Requests, 10))
	}
	return append(args, cfg.URL)
}

// wgetScript starts one busybox wget loop per worker. In duration mode each loop runs until
// a shared end time; in request mode the count is split over the loops. Each loop prints
// its successes and failures when it ends. wget gets no -T: busybox builds without
// FEATURE_WGET_TIMEOUT crash on it (Debian's 1.35 does), so a hung request is bounded only
// by the Job's deadline and the plugin deleting the Job.
func wgetScript(cfg JobConfig) string {
	fetch := `if wget -q -O /dev/null "$` + urlEnv + `"; then ok=$((ok+1)); ` +
		`else fail=$((fail+1)); fi`
	var b strings.Builder
	fmt.Fprintf(&b, "workers=%d\n", cfg.Concurrency)
	if cfg.Duration > 0 {
		fmt.Fprintf(&b, "end=$(( $(date +%%s) + %s ))\n", seconds(cfg))
		b.WriteString("loop() { ok=0; fail=0\n")
		b.WriteString("  while [ \"$(date +%s)\" -lt \"$end\" ]; do " + fetch + "; done\n")
	} else {
		fmt.Fprintf(&b, "total=%d\n", cfg.Requests)
		b.WriteString("loop() { ok=0; fail=0; n=$((total / workers))\n")
		b.WriteString("  [ \"$1\" -lt $((total % workers)) ] && n=$((n+1))\n")
		b.WriteString("  while [ $((ok+fail)) -lt \"$n\" ]; do " + fetch + "; done\n")
	}
	b.WriteString("  echo \"worker $1: ok=$ok failed=$fail\"; }\n")
	b.WriteString("i=0; while [ \"$i\" -lt \"$workers\" ]; do loop \"$i\" & i=$((i+1)); done\n")
	b.WriteString("wait\n")
	return b.String()
}

func seconds(cfg JobConfig) string {
	return strconv.Itoa(max(int(cfg.Duration.Seconds()), 1))
}

// withPath adds the "/" path Apache Bench insists on.
func withPath(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Path != "" {
		return raw
	}
	u.Path = "/"
	return u.String()
}

package diagnose

import (
	"fmt"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-directus/kubectl-directus/pkg/snapshot"
)

// bootstrapJobAnnotation on a Deployment names the Job that migrated the database for its
// image; the deploy verb writes it, so a Job removed by its TTL still counts as done.
const bootstrapJobAnnotation = "kubectl-directus.io/bootstrap-job"

// bootstrapCheck (DX09): Directus migrations take no lock. Pods that each run bootstrap race
// through them on every new image; one Job per image must run them first.
func bootstrapCheck(c *viewCache) Check {
	needs := append([]string{snapshot.ResJobs}, envNeeds()...)
	return directusCheck(c, "DX09", "migrations run once per image, before the pods",
		needs, func(snap *view) directusJudge {
			return func(w *workload, _ *envView) []Finding { return judgeBootstrap(snap, w) }
		})
}

const bootstrapFix = "run `node /directus/cli.js bootstrap` in one Job per image tag and wait " +
	"for it to complete, then roll the workload with command [node, /directus/cli.js, start]"

func judgeBootstrap(snap *view, w *workload) []Finding {
	if race := bootstrapInPods(w); race != "" {
		if !w.several() {
			return nil
		}
		return []Finding{w.finding("DX09", Warning, "every pod runs the migrations when it "+
			"starts: with several replicas they race on each new image",
			[]string{w.replicaRange(), race}, bootstrapFix)}
	}
	if w.Meta.Annotations[bootstrapJobAnnotation] != "" {
		return nil
	}

	done, failed, active := bootstrapJobs(snap, w.Meta.Namespace, w.Container.Image)
	switch {
	case len(done) > 0:
		return nil
	case len(failed) > 0:
		return []Finding{w.finding("DX09", Error, "the bootstrap Job for the running image "+
			"failed: the database may lack this version's migrations",
			[]string{"failed Job " + strings.Join(failed, ", ")},
			"read its logs (`kubectl -n "+w.Meta.Namespace+" logs job/"+failed[0]+
				"`), fix the cause, delete the Job and run it again")}
	}
	evidence := []string{"no Complete Job in " + w.Meta.Namespace + " runs bootstrap with image " +
		w.Container.Image}
	if len(active) > 0 {
		evidence = append(evidence, "still running: Job "+strings.Join(active, ", "))
	}
	return []Finding{w.finding("DX09", Warning, "no completed bootstrap Job for the running "+
		"image: nothing shows that this version's migrations ran", evidence, bootstrapFix)}
}

// bootstrapInPods says how the pods run bootstrap themselves, "" when they only start.
func bootstrapInPods(w *workload) string {
	c := w.Container
	if len(c.Command) == 0 && len(c.Args) == 0 {
		return "container " + c.Name + " has no command: the image's CMD runs bootstrap, " +
			"then starts"
	}
	if runsBootstrap(c) {
		line := strings.Join(append(append([]string(nil), c.Command...), c.Args...), " ")
		return fmt.Sprintf("container %s runs %q", c.Name, line)
	}
	for i := range w.Template.Spec.InitContainers {
		ic := &w.Template.Spec.InitContainers[i]
		if runsBootstrap(ic) {
			return "init container " + ic.Name + " runs bootstrap in every pod"
		}
	}
	return ""
}

func runsBootstrap(c *corev1.Container) bool {
	for _, word := range append(append([]string(nil), c.Command...), c.Args...) {
		if strings.Contains(word, "bootstrap") {
			return true
		}
	}
	return false
}

// bootstrapJobs sorts the Jobs of namespace ns that run bootstrap with image by outcome.
func bootstrapJobs(snap *view, ns, image string) (done, failed, active []string) {
	for _, job := range snap.jobs[ns] {
		if !jobRunsBootstrap(job, image) {
			continue
		}
		switch {
		case jobCondition(job, batchv1.JobComplete):
			done = append(done, job.Name)
		case jobCondition(job, batchv1.JobFailed):
			failed = append(failed, job.Name)
		default:
			active = append(active, job.Name)
		}
	}
	return done, failed, active
}

func jobRunsBootstrap(job *batchv1.Job, image string) bool {
	for i := range job.Spec.Template.Spec.Containers {
		c := &job.Spec.Template.Spec.Containers[i]
		if c.Image == image && runsBootstrap(c) {
			return true
		}
	}
	return false
}

func jobCondition(job *batchv1.Job, t batchv1.JobConditionType) bool {
	for _, c := range job.Status.Conditions {
		if c.Type == t && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}

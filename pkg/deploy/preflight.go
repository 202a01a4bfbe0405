package deploy

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	authv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes"
	"k8s.io/klog/v2"
)

// fetchParallelism bounds the concurrent requests of the checks before applying.
const fetchParallelism = 8

// applyState is what the checks before applying learnt about the cluster.
type applyState struct {
	// existing holds the current version of every rendered object that exists.
	existing map[ObjectRef]*unstructured.Unstructured
	// foreignMetrics describes who serves metrics.k8s.io when metrics-server was asked for
	// but another installation already serves the API; metrics-server is then skipped.
	foreignMetrics string
	// secretHash is the hash of the Secret's values once the Secret step ran.
	secretHash string
}

// preflight checks, before anything is written, that the namespace exists, the caller may
// write every object, and no object of the same name belongs to someone else.
func (a *Applier) preflight(ctx context.Context, objs []*unstructured.Unstructured,
	refs []ObjectRef) (*applyState, error) {
	if err := checkNamespace(ctx, a.Clients.Kube, a.Namespace, a.Server); err != nil {
		return nil, err
	}
	if err := checkAccess(ctx, a.Clients.Kube, requiredAccess(refs), a.Server); err != nil {
		return nil, err
	}

	existing, err := a.fetchExisting(ctx, refs)
	if err != nil {
		return nil, err
	}
	state := &applyState{existing: existing, foreignMetrics: foreignMetricsAPI(refs, existing)}
	if err := a.checkOwnership(objs, refs, state); err != nil {
		return nil, err
	}
	return state, nil
}

// checkNamespace fails when namespace does not exist. A caller who may not read namespaces
// passes: the first write then tells.
func checkNamespace(ctx context.Context, kube kubernetes.Interface,
	namespace, server string) error {
	_, err := kube.CoreV1().Namespaces().Get(ctx, namespace, metav1.GetOptions{})
	switch {
	case err == nil:
		return nil
	case apierrors.IsNotFound(err):
		return fmt.Errorf("namespace %q not found: create it (kubectl create namespace %s) "+
			"or choose another with -n", namespace, namespace)
	case apierrors.IsForbidden(err):
		klog.V(2).Infof("cannot read namespace %q, going on: %v", namespace, err)
		return nil
	case isUnreachable(err):
		return unreachable(server, err)
	case ctx.Err() == nil && isRequestTimeout(err):
		return slowServer(server, err)
	default:
		return fmt.Errorf("reading namespace %q: %w", namespace, err)
	}
}

// access is one verb on one resource in one namespace ("" for cluster-scoped).
type access struct {
	Group, Resource, Namespace, Verb string
}

func (a access) resource() string {
	if a.Group == "" {
		return a.Resource
	}
	return a.Resource + "." + a.Group
}

// requiredAccess lists the verbs deploy uses on refs: server-side apply needs create and
// patch; the Secret is only ever created.
func requiredAccess(refs []ObjectRef) []access {
	seen := map[access]bool{}
	var out []access
	for _, ref := range refs {
		verbs := []string{"get", "create", "patch"}
		if ref.Kind == "Secret" {
			verbs = []string{"get", "create"}
		}
		for _, verb := range verbs {
			acc := access{ref.GVR.Group, ref.GVR.Resource, ref.Namespace, verb}
			if !seen[acc] {
				seen[acc] = true
				out = append(out, acc)
			}
		}
	}
	return out
}

// checkAccess asks the API server whether the caller holds every access in needed, and
// lists all that are missing in one error.
func checkAccess(ctx context.Context, kube kubernetes.Interface, needed []access,
	server string) error {
	allowed := make([]bool, len(needed))
	err := forEachParallel(len(needed), func(i int) error {
		ok, err := reviewAccess(ctx, kube, needed[i])
		allowed[i] = ok
		return err
	})
	if err != nil {
		return err
	}

	var denied []access
	for i, acc := range needed {
		if !allowed[i] {
			denied = append(denied, acc)
		}
	}
	return deniedError(denied)
}

// reviewAccess returns whether acc is allowed. When the review itself cannot be made, it
// answers yes: the write that follows reports the real error.
func reviewAccess(ctx context.Context, kube kubernetes.Interface, acc access) (bool, error) {
	review := &authv1.SelfSubjectAccessReview{Spec: authv1.SelfSubjectAccessReviewSpec{
		ResourceAttributes: &authv1.ResourceAttributes{
			Namespace: acc.Namespace, Verb: acc.Verb, Group: acc.Group, Resource: acc.Resource,
		},
	}}
	result, err := kube.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx, review,
		metav1.CreateOptions{})
	if err != nil {
		if isUnreachable(err) || ctx.Err() != nil {
			return false, err
		}
		klog.V(2).Infof("cannot review access %+v, going on: %v", acc, err)
		return true, nil
	}
	return result.Status.Allowed, nil
}

// deniedError groups the missing verbs by resource and namespace.
func deniedError(denied []access) error {
	if len(denied) == 0 {
		return nil
	}
	verbs := map[string][]string{}
	for _, acc := range denied {
		where := "cluster-wide"
		if acc.Namespace != "" {
			where = fmt.Sprintf("in namespace %q", acc.Namespace)
		}
		key := acc.resource() + " " + where
		verbs[key] = append(verbs[key], acc.Verb)
	}

	var lines []string
	for _, key := range sortedKeys(verbs) {
		lines = append(lines, fmt.Sprintf("cannot %s %s", strings.Join(verbs[key], ", "), key))
	}
	first := denied[0]
	return fmt.Errorf("missing permissions (RBAC): %s; nothing was applied; ask an "+
		"administrator for a Role granting these verbs (check with: kubectl auth can-i %s %s%s)",
		strings.Join(lines, "; "), first.Verb, first.resource(), nsFlag(first.Namespace))
}

// fetchExisting reads the current version of every ref; missing objects are left out.
func (a *Applier) fetchExisting(ctx context.Context, refs []ObjectRef) (
	map[ObjectRef]*unstructured.Unstructured, error) {
	found := make([]*unstructured.Unstructured, len(refs))
	err := forEachParallel(len(refs), func(i int) error {
		obj, err := resourceClient(a.Clients.Dynamic, refs[i]).Get(ctx, refs[i].Name,
			metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return explain("get", refs[i], a.Server, err)
		}
		found[i] = obj
		return nil
	})
	if err != nil {
		return nil, err
	}

	existing := map[ObjectRef]*unstructured.Unstructured{}
	for i, obj := range found {
		if obj != nil {
			existing[refs[i]] = obj
		}
	}
	return existing, nil
}

// checkOwnership refuses to take over objects that this plugin did not create for this
// release: applying would silently overwrite someone else's work.
func (a *Applier) checkOwnership(objs []*unstructured.Unstructured, refs []ObjectRef,
	state *applyState) error {
	var errs []error
	for i, ref := range refs {
		current := state.existing[ref]
		if current == nil || (isMetricsServer(objs[i]) && state.foreignMetrics != "") {
			continue
		}
		if ours(current, a.Release) {
			continue
		}
		fix := "delete it, or deploy under another NAME"
		if isMetricsServer(objs[i]) {
			fix = "remove it, or deploy without --with-metrics-server"
		}
		errs = append(errs, fmt.Errorf("%s %s already exists and is not managed by "+
			"kubectl-directus (managed by %s): %s", ref, location(ref), managerOf(current), fix))
	}
	return errors.Join(errs...)
}

func location(ref ObjectRef) string {
	if ref.Namespace == "" {
		return "(cluster-wide)"
	}
	return fmt.Sprintf("in namespace %q", ref.Namespace)
}

// ours reports objects created by this plugin: for release objects, for this release.
func ours(obj *unstructured.Unstructured, release string) bool {
	labels := obj.GetLabels()
	if labels[LabelManagedBy] != ManagedByValue {
		return false
	}
	return labels[LabelComponent] == ComponentMetricsServer || labels[LabelInstance] == release
}

func isMetricsServer(obj *unstructured.Unstructured) bool {
	return obj != nil && obj.GetLabels()[LabelComponent] == ComponentMetricsServer
}

// managerOf names who manages obj: its managed-by label, else its field managers.
func managerOf(obj *unstructured.Unstructured) string {
	if by := obj.GetLabels()[LabelManagedBy]; by != "" {
		return by
	}
	seen := map[string]bool{}
	var managers []string
	for _, entry := range obj.GetManagedFields() {
		if entry.Manager != "" && !seen[entry.Manager] {
			seen[entry.Manager] = true
			managers = append(managers, entry.Manager)
		}
	}
	if len(managers) == 0 {
		return "an unknown manager"
	}
	sort.Strings(managers)
	return strings.Join(managers, ", ")
}

// foreignMetricsAPI describes the metrics.k8s.io APIService when metrics-server is to be
// installed but another installation already registered the API; "" otherwise.
func foreignMetricsAPI(refs []ObjectRef, existing map[ObjectRef]*unstructured.Unstructured) string {
	for _, ref := range refs {
		if ref.Kind != "APIService" {
			continue
		}
		current := existing[ref]
		if current == nil || ours(current, "") {
			return ""
		}
		return fmt.Sprintf("apiservice %s (managed by %s)", ref.Name, managerOf(current))
	}
	return ""
}

// forEachParallel calls fn for 0..n-1 with at most fetchParallelism calls at once and
// returns the first error.
func forEachParallel(n int, fn func(i int) error) error {
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	slots := make(chan struct{}, fetchParallelism)
	for i := range n {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			if err := fn(i); err != nil {
				once.Do(func() { first = err })
			}
		}()
	}
	wg.Wait()
	return first
}

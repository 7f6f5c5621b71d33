package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
	listersv1 "k8s.io/client-go/listers/core/v1"
	k8stesting "k8s.io/client-go/testing"
	"k8s.io/client-go/tools/cache"
)

// ClientAPI is the API of a clientset: a real one, or the fake one of the offline mode and the tests.
// Pods, when set, is the informers' cache of pods (Watch's). OnChange, when set, receives the pod after each
// patch and binding (the offline mode, which has no informers).
type ClientAPI struct {
	Client   kubernetes.Interface
	Pods     listersv1.PodLister
	OnChange func(*corev1.Pod)
}

// CachedPod is the informers' pod, or nil.
func (c ClientAPI) CachedPod(namespace, name string) *corev1.Pod {
	if c.Pods == nil {
		return nil
	}
	pod, err := c.Pods.Pods(namespace).Get(name)
	if err != nil {
		return nil
	}
	return pod
}

// GetPod reads the pod from the API server (not from a cache, which may not show a binding made already).
func (c ClientAPI) GetPod(ctx context.Context, namespace, name string) (*corev1.Pod, error) {
	return c.Client.CoreV1().Pods(namespace).Get(ctx, name, metav1.GetOptions{})
}

// PatchPod applies a JSON merge patch.
func (c ClientAPI) PatchPod(ctx context.Context, namespace, name string, patch []byte) error {
	pod, err := c.Client.CoreV1().Pods(namespace).Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{})
	if err == nil && c.OnChange != nil {
		c.OnChange(pod)
	}
	return err
}

// Bind posts the binding (the pods/binding subresource).
func (c ClientAPI) Bind(ctx context.Context, b *corev1.Binding) error {
	err := c.Client.CoreV1().Pods(b.Namespace).Bind(ctx, b, metav1.CreateOptions{})
	if err == nil && c.OnChange != nil {
		if pod, gerr := c.GetPod(ctx, b.Namespace, b.Name); gerr == nil {
			c.OnChange(pod)
		}
	}
	return err
}

// stripManagedFields drops what the state never reads from the informers' copies.
func stripManagedFields(obj any) (any, error) {
	if m, ok := obj.(metav1.Object); ok {
		m.SetManagedFields(nil)
	}
	return obj, nil
}

// Watch feeds the state from informers of nodes and pods until ctx ends: every add, change and delete, so that
// each node's allocations are rebuilt from its pods as they are. It returns the informers' cache of pods, and
// ready, which is closed once the first lists are in the state; it returns an error when ctx ends first.
func Watch(ctx context.Context, cs kubernetes.Interface, s *State) (listersv1.PodLister, <-chan error) {
	factory := informers.NewSharedInformerFactoryWithOptions(cs, 0, informers.WithTransform(stripManagedFields))
	lister := factory.Core().V1().Pods().Lister()
	done := make(chan error, 1)
	go func() { done <- watch(ctx, factory, s) }()
	return lister, done
}

func watch(ctx context.Context, factory informers.SharedInformerFactory, s *State) error {
	nodes := factory.Core().V1().Nodes().Informer()
	pods := factory.Core().V1().Pods().Informer()
	nodeReg, err := nodes.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { setNode(s, obj) },
		UpdateFunc: func(_, obj any) { setNode(s, obj) },
		DeleteFunc: func(obj any) {
			if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = t.Obj
			}
			if n, ok := obj.(*corev1.Node); ok {
				s.DeleteNode(n.Name)
			}
		},
	})
	if err != nil {
		return err
	}
	podReg, err := pods.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { setPod(s, obj) },
		UpdateFunc: func(_, obj any) { setPod(s, obj) },
		DeleteFunc: func(obj any) {
			if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = t.Obj
			}
			if p, ok := obj.(*corev1.Pod); ok {
				s.DeletePod(p.UID)
			}
		},
	})
	if err != nil {
		return err
	}
	factory.Start(ctx.Done())
	for typ, ok := range factory.WaitForCacheSync(ctx.Done()) {
		if !ok {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("the informer of %v did not sync", typ)
		}
	}
	// The handlers may still be delivering the first lists: wait until they have.
	for !nodeReg.HasSynced() || !podReg.HasSynced() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	return nil
}

func setNode(s *State, obj any) {
	if n, ok := obj.(*corev1.Node); ok {
		s.SetNode(n)
	}
}

func setPod(s *State, obj any) {
	if p, ok := obj.(*corev1.Pod); ok {
		s.SetPod(p)
	}
}

// ExpireLoop drops stale reservations every period until ctx ends.
func ExpireLoop(ctx context.Context, s *State, period time.Duration, log *slog.Logger) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n := s.ExpireReservations(); n > 0 {
				log.Warn("reservations expired", "count", n)
			}
		}
	}
}

var podsResource = schema.GroupVersionResource{Version: "v1", Resource: "pods"}

// NewFakeClient is client-go's fake clientset holding objs, whose bindings (pods/binding) set the pod's node, merge
// the binding's annotations into the pod's and set its PodScheduled condition as the API server does; the fake
// alone records them without changing the pod.
func NewFakeClient(objs ...runtime.Object) *fake.Clientset {
	cs := fake.NewSimpleClientset(objs...)
	cs.PrependReactor("create", "pods", func(action k8stesting.Action) (bool, runtime.Object, error) {
		ca, ok := action.(k8stesting.CreateAction)
		if !ok || ca.GetSubresource() != "binding" {
			return false, nil, nil
		}
		b, ok := ca.GetObject().(*corev1.Binding)
		if !ok {
			return true, nil, apierrors.NewBadRequest("the binding is not a v1 Binding")
		}
		obj, err := cs.Tracker().Get(podsResource, b.Namespace, b.Name)
		if err != nil {
			return true, nil, err
		}
		pod := obj.(*corev1.Pod).DeepCopy()
		if pod.DeletionTimestamp != nil {
			return true, nil, apierrors.NewInternalError(fmt.Errorf("pod %s is being deleted, cannot be assigned to a host", b.Name))
		}
		if b.UID != "" && pod.UID != b.UID {
			return true, nil, apierrors.NewConflict(podsResource.GroupResource(), b.Name,
				fmt.Errorf("the binding is for UID %s, the pod has UID %s", b.UID, pod.UID))
		}
		if pod.Spec.NodeName != "" {
			return true, nil, apierrors.NewConflict(podsResource.GroupResource(), b.Name,
				fmt.Errorf("pod %s is already assigned to node %q", b.Name, pod.Spec.NodeName))
		}
		pod.Spec.NodeName = b.Target.Name
		if len(b.Annotations) > 0 && pod.Annotations == nil {
			pod.Annotations = map[string]string{}
		}
		for k, v := range b.Annotations {
			pod.Annotations[k] = v
		}
		pod.Status.Conditions = append(pod.Status.Conditions, corev1.PodCondition{Type: corev1.PodScheduled,
			Status: corev1.ConditionTrue})
		if err := cs.Tracker().Update(podsResource, pod, b.Namespace); err != nil {
			return true, nil, err
		}
		return true, b, nil
	})
	return cs
}

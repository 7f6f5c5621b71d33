package main

// Example runs the program on its built-in sample: two cycles, the second after resnet-1 stopped and the pods
// placed in the first started.
func Example() {
	main()
	// Output:
	// cycle 1
	// resnet-1: adopted on ip-10-0-0-1 as allocation 1 (chips 0-1)
	// resnet-2: adopted on ip-10-0-0-2 as allocation 1 (chips 3-3)
	// gpt2-1: ip-10-0-0-1 AWS_NEURON_VISIBLE_DEVICES=2,3 NEURON_RT_VISIBLE_CORES=8-15
	// gpt2-2: ip-10-0-0-2 AWS_NEURON_VISIBLE_DEVICES=0,1 NEURON_RT_VISIBLE_CORES=0-7
	// gpt2-3: unschedulable: no node can take the replica: node group inf-large: 2 nodes, max_instances 10: 2 without a free window of 2 chips
	// cycle 2
	// resnet-1: stopped, released allocation 1 on ip-10-0-0-1
	// bert-9: adopted on ip-10-0-0-2 as allocation 3 (chips 2-2)
	// gpt2-3: ip-10-0-0-1 AWS_NEURON_VISIBLE_DEVICES=0,1 NEURON_RT_VISIBLE_CORES=0-7
}

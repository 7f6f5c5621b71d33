package main

// Example runs the program on its built-in sample.
func Example() {
	main()
	// Output:
	// resnet-1: adopted on ip-10-0-0-1 as allocation 1 (chips 0-1)
	// resnet-2: adopted on ip-10-0-0-2 as allocation 1 (chips 3-3)
	// gpt2-1: ip-10-0-0-1 AWS_NEURON_VISIBLE_DEVICES=2,3 NEURON_RT_VISIBLE_CORES=8-15
	// gpt2-2: ip-10-0-0-2 AWS_NEURON_VISIBLE_DEVICES=0,1 NEURON_RT_VISIBLE_CORES=0-7
	// gpt2-3: unschedulable: no node can take the replica: node group inf-large: 2 nodes, max_instances 10: 2 without a free window of 2 chips
}

package main

// Example plans the Cortex example; the figures are those of `ncg plan --example`.
func Example() {
	main()
	// Output:
	// price $7.48/h, lower bound $7.48/h, 41/41 replicas placed on 4 nodes
	//   inf-small    inf1.2xlarge   0 nodes
	//   inf-large    inf1.6xlarge   1 nodes
	//   inf-xl-spot  inf1.24xlarge  3 nodes
	//   image-classifier-resnet50  headroom  9  first: inf-xl-spot-1 NEURON_RT_VISIBLE_CORES=0
	//   text-generator-gpt2        headroom  4  first: inf-large-1 NEURON_RT_VISIBLE_CORES=0-7
	//   sentiment-bert             headroom  9  first: inf-xl-spot-2 NEURON_RT_VISIBLE_CORES=16-17
	//   multi-model-classifier     headroom  9  first: inf-xl-spot-2 NEURON_RT_VISIBLE_CORES=36-37
	//   image-preprocessor         headroom 120
	//   batch-classifier           headroom  2  first: inf-xl-spot-2 NEURON_RT_VISIBLE_CORES=48-63
}

using BenchmarkDotNet.Running;

// Every benchmark class in this assembly; pick with --filter (for example --filter '*Gemm*').
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

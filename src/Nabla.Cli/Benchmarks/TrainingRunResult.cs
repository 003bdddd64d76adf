namespace Nabla.Cli.Benchmarks;

/// <summary>What one timed stretch of training did (W1, W2, W4): steps, samples, seconds and heap activity.</summary>
internal readonly record struct TrainingRunResult(int Steps, int Samples, double Seconds, AllocationProbe Allocation)
{
    public double SamplesPerSecond => Samples / Seconds;

    public double MicrosecondsPerStep => Seconds * 1e6 / Steps;

    public double BytesPerStep => (double)Allocation.TotalBytes / Steps;
}

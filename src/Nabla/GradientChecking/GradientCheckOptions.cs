namespace Nabla.GradientChecking;

/// <summary>Settings of a gradient check.</summary>
/// <param name="Step">h of the centred difference (f(w + h) − f(w − h)) / 2h; default 1e-5.</param>
/// <param name="Tolerance">The largest relative error that passes; default 1e-6.</param>
/// <param name="MaxElementsPerTensor">Tensors larger than this are checked on a random sample of this many elements (default 256).</param>
/// <param name="Seed">Seeds the choice of sampled elements.</param>
public sealed record GradientCheckOptions(double Step = 1e-5, double Tolerance = 1e-6, int MaxElementsPerTensor = 256, int Seed = 0);

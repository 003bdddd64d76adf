using Nabla.Tensors;

namespace Nabla.GradientChecking;

/// <summary>The comparison of the analytic and numerical gradient of one tensor.</summary>
/// <param name="Name">The parameter's name.</param>
/// <param name="Shape">Its shape.</param>
/// <param name="ElementsChecked">How many elements were perturbed.</param>
/// <param name="RelativeError">max|a − n| / max(1e-8, max|a| + max|n|) over the checked elements.</param>
/// <param name="WorstIndex">The index of the element with the largest |a − n|, one entry per dimension.</param>
/// <param name="AnalyticAtWorst">a, the backpropagated gradient, at that element.</param>
/// <param name="NumericAtWorst">n, the finite-difference gradient, at that element.</param>
/// <param name="Passed">Whether the relative error is within the tolerance.</param>
public sealed record ParameterGradientCheck(
    string Name, Shape Shape, int ElementsChecked, double RelativeError, int[] WorstIndex,
    double AnalyticAtWorst, double NumericAtWorst, bool Passed)
{
    /// <summary>The worst element as <c>name[i, j]</c>.</summary>
    public string WorstElement => $"{Name}[{string.Join(", ", WorstIndex)}]";
}

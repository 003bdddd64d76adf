namespace Nabla.Pictures;

/// <summary>The background of an image given to a network trained on light-on-dark images (the digits, Fashion-MNIST).</summary>
public enum ImageBackground
{
    /// <summary>Decide from the image's border: a light border means a light background.</summary>
    Auto,

    /// <summary>Dark, like the datasets: values are used as they are.</summary>
    Dark,

    /// <summary>Light (dark ink on paper): values are inverted, 1 − v.</summary>
    Light,
}

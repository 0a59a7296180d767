"""Week 3 exported notebook, tab-indented: nn_model seeds np.random itself, uses update's default 1.2 and records every cost."""
EXPECTED = {'correct': True}
#!/usr/bin/env python
# coding: utf-8

# # Planar data classification with one hidden layer

# In[1]:


get_ipython().system('pip install scikit-learn')


# In[2]:


import numpy as np
import copy
import matplotlib.pyplot as plt
from testCases_v2 import *
from public_tests import *
import sklearn
import sklearn.datasets
import sklearn.linear_model
from planar_utils import plot_decision_boundary, sigmoid, load_planar_dataset, load_extra_datasets

get_ipython().run_line_magic('matplotlib', 'inline')
get_ipython().run_line_magic('load_ext', 'autoreload')
get_ipython().run_line_magic('autoreload', '2')


# In[3]:


X, Y = load_planar_dataset()
plt.scatter(X[0, :], X[1, :], c=Y, s=40, cmap=plt.cm.Spectral);
shape_X = X.shape
shape_Y = Y.shape
m = Y.shape[1]


# In[5]:


clf = sklearn.linear_model.LogisticRegressionCV();
clf.fit(X.T, Y.T);


# In[8]:


def layer_sizes(X, Y):
	n_x = X.shape[0]
	n_h = 4
	n_y = Y.shape[0]
	return (n_x, n_h, n_y)


# In[10]:


def initialize_parameters(n_x, n_h, n_y):
	W1 = np.random.randn(n_h, n_x) * 0.01
	b1 = np.zeros((n_h, 1))
	W2 = np.random.randn(n_y, n_h) * 0.01
	b2 = np.zeros((n_y, 1))
	parameters = {"W1": W1,
	              "b1": b1,
	              "W2": W2,
	              "b2": b2}
	return parameters


# In[12]:


def forward_propagation(X, parameters):
	W1 = parameters["W1"]
	b1 = parameters["b1"]
	W2 = parameters["W2"]
	b2 = parameters["b2"]
	Z1 = np.dot(W1, X) + b1
	A1 = np.tanh(Z1)
	Z2 = np.dot(W2, A1) + b2
	A2 = sigmoid(Z2)
	assert(A2.shape == (1, X.shape[1]))
	cache = {"Z1": Z1,
	         "A1": A1,
	         "Z2": Z2,
	         "A2": A2}
	return A2, cache


# In[14]:


def compute_cost(A2, Y):
	m = Y.shape[1]
	logprobs = np.multiply(np.log(A2), Y) + np.multiply(np.log(1 - A2), 1 - Y)
	cost = - np.sum(logprobs) / m
	cost = float(np.squeeze(cost))
	return cost


# In[16]:


def backward_propagation(parameters, cache, X, Y):
	m = X.shape[1]
	W1 = parameters["W1"]
	W2 = parameters["W2"]
	A1 = cache["A1"]
	A2 = cache["A2"]
	dZ2 = A2 - Y
	dW2 = np.dot(dZ2, A1.T) / m
	db2 = np.sum(dZ2, axis=1, keepdims=True) / m
	dZ1 = np.dot(W2.T, dZ2) * (1 - np.power(A1, 2))
	dW1 = np.dot(dZ1, X.T) / m
	db1 = np.sum(dZ1, axis=1, keepdims=True) / m
	grads = {"dW1": dW1,
	         "db1": db1,
	         "dW2": dW2,
	         "db2": db2}
	return grads


# In[18]:


def update_parameters(parameters, grads, learning_rate=1.2):
	W1 = copy.deepcopy(parameters["W1"])
	b1 = parameters["b1"]
	W2 = copy.deepcopy(parameters["W2"])
	b2 = parameters["b2"]
	W1 = W1 - learning_rate * grads["dW1"]
	b1 = b1 - learning_rate * grads["db1"]
	W2 = W2 - learning_rate * grads["dW2"]
	b2 = b2 - learning_rate * grads["db2"]
	parameters = {"W1": W1,
	              "b1": b1,
	              "W2": W2,
	              "b2": b2}
	return parameters


# In[20]:


def nn_model(X, Y, n_h, num_iterations=10000, print_cost=False):
	np.random.seed(3)
	n_x = layer_sizes(X, Y)[0]
	n_y = layer_sizes(X, Y)[2]
	parameters = initialize_parameters(n_x, n_h, n_y)
	costs = []
	for i in range(0, num_iterations):
		A2, cache = forward_propagation(X, parameters)
		cost = compute_cost(A2, Y)
		grads = backward_propagation(parameters, cache, X, Y)
		parameters = update_parameters(parameters, grads)
		costs.append(cost)
		if print_cost and i % 1000 == 0:
			print("Cost after iteration %i: %f" % (i, cost))
	return parameters


# In[22]:


def predict(parameters, X):
	A2, cache = forward_propagation(X, parameters)
	predictions = (A2 > 0.5)
	return predictions


# In[24]:


parameters = nn_model(X, Y, n_h=4, num_iterations=10000, print_cost=True)
plot_decision_boundary(lambda x: predict(parameters, x.T), X, Y)
plt.title("Decision Boundary for hidden layer size " + str(4))


# In[26]:


get_ipython().run_cell_magic('time', '', 'predictions = predict(parameters, X)\nprint("Accuracy: %d" % float((np.dot(Y, predictions.T) + np.dot(1 - Y, 1 - predictions.T)) / float(Y.size) * 100) + "%")\n')


# In[28]:


plt.figure(figsize=(16, 32))
hidden_layer_sizes = [1, 2, 3, 4, 5, 20, 50]
for i, n_h in enumerate(hidden_layer_sizes):
	plt.subplot(5, 2, i + 1)
	plt.title('Hidden Layer of size %d' % n_h)
	parameters = nn_model(X, Y, n_h, num_iterations=5000)
	plot_decision_boundary(lambda x: predict(parameters, x.T), X, Y)
